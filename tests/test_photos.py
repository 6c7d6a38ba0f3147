"""A photo is checked as an image when it arrives (a package, a paste, a file): its dimensions bounded
from the header, decoded once, kept as a plain JPEG; anything else refused with the record and the photo
named. Reports print a bounded thumbnail, and a photo that cannot be read prints as a placeholder."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tracemalloc
import zipfile

import pytest
from PIL import Image

import cli
from app.errors import PatrolError
from app.patrolling import photos
from app.patrolling.evidence import photo_path, store_photo
from benchmarks.hostile import hostile_images, make_genuine, package_with_photo


def _jpeg_with_exif(size=(3000, 2000), orientation=6) -> bytes:
    image = Image.new("RGB", size, "white")
    image.paste((200, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half red, as the phone saw it
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at 31.2N 121.5E")
    return out.getvalue()


@pytest.mark.parametrize("name, expected", [
    ("png-13000x13000-rgba", "图片尺寸过大 (13000×13000), PNG 上限 1200 万像素"),
    ("bmp-header-60000x60000", "图片尺寸过大"),
    ("png-magic-then-garbage", "图片已损坏或不是真正的 PNG 文件"),
    ("gif-magic-then-html", "图片已损坏或不是真正的 GIF 文件"),
    ("jpeg-cut-short", "图片已损坏或不是真正的 JPEG 文件"),
])
def test_a_hostile_image_is_refused_by_what_it_is_before_its_pixels_are_decoded(name, expected):
    data = hostile_images()[name]
    tracemalloc.start()
    try:
        with pytest.raises(PatrolError) as refused:
            photos.normalised(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert expected in str(refused.value)
    assert peak < 5 * 2**20, f"{peak / 2**20:.1f} MB for {name}"
    assert photos.thumbnail(data) is None, "a report prints a placeholder for it"


def test_a_file_that_is_no_image_at_all_is_refused_by_format():
    with pytest.raises(PatrolError, match="不是支持的图片格式"):
        photos.normalised(b"%PDF-1.7 not a photo")


def test_a_phone_photo_is_kept_upright_smaller_and_without_its_metadata():
    kept = photos.normalised(_jpeg_with_exif())
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and image.size == (1365, 2048), "turned by its orientation, longest side 2048"
    assert not set(photos.METADATA) & set(image.info), "no EXIF (place, device) and no comment kept"
    assert image.getpixel((680, 10))[0] > 150 and image.getpixel((680, 2040))[1] > 200, "red on top after turning"
    assert photos.is_normalised(kept) and not photos.is_normalised(_jpeg_with_exif(size=(800, 600)))


def test_a_transparent_screenshot_is_laid_on_white_not_black():
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(out, "PNG")
    image = Image.open(io.BytesIO(photos.normalised(out.getvalue())))
    assert image.mode == "RGB" and min(image.getpixel((20, 15))) > 245


def test_a_photo_taken_here_is_named_by_the_jpeg_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    from app.storage.db import close_database, open_database

    open_database(str(tmp_path / "x.db"))
    try:
        ref = store_photo(_jpeg_with_exif(size=(900, 600), orientation=1))
        kept = photo_path(ref).read_bytes()
        assert ref == hashlib.sha256(kept).hexdigest() + ".jpg" and kept.startswith(b"\xff\xd8\xff")
        assert store_photo(_jpeg_with_exif(size=(900, 600), orientation=1)) == ref, "the same picture, one file"
        with pytest.raises(PatrolError, match="图片尺寸过大"):
            store_photo(hostile_images()["png-13000x13000-rgba"])
    finally:
        close_database()


@pytest.fixture(scope="module")
def genuine(tmp_path_factory):
    return make_genuine(tmp_path_factory.mktemp("genuine"))


@pytest.fixture
def office(genuine, tmp_path, monkeypatch):
    """A fresh copy of the genuine office for each test: its photos beside it in tmp_path."""
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    db = tmp_path / "office.db"
    shutil.copy(genuine.office, db)
    return db


def _rows(db) -> tuple:
    with sqlite3.connect(db) as con:
        return (con.execute("SELECT count(*) FROM inspection").fetchone()[0],
                con.execute("SELECT group_concat(photos, '|') FROM item_result WHERE photos != ''").fetchone()[0])


@pytest.mark.parametrize("name", sorted(hostile_images()))
def test_a_package_with_a_hostile_photo_is_refused_naming_record_item_and_photo(genuine, office, tmp_path, capsys,
                                                                               name):
    data, ref = package_with_photo(genuine, hostile_images()[name])
    path = tmp_path / "with-photo.wpr"
    path.write_bytes(data)
    before = _rows(office)
    code = cli.main(["import", "results", str(path), "--db", str(office), "--user", "admin"])
    _, err = capsys.readouterr()
    assert code == 2 and _rows(office) == before
    assert "未导入任何记录" in err and "窗口 A02" in err and "(DISC-07)" in err and f"照片 {ref[:16]}" in err, err
    assert "程序内部错误" not in err and len(err.strip().splitlines()) == 1


def test_a_foreign_photo_in_a_package_is_kept_re_encoded_and_the_record_names_the_kept_jpeg(
        genuine, office, tmp_path, capsys):
    png = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 120, 200)).save(png, "PNG")
    data, ref = package_with_photo(genuine, png.getvalue())
    path = tmp_path / "with-photo.wpr"
    path.write_bytes(data)
    args = ["import", "results", str(path), "--db", str(office), "--user", "admin"]
    assert cli.main(args) == 0
    assert "照片 1" in capsys.readouterr().out
    _, stored = _rows(office)
    assert ref not in stored and stored.endswith(".jpg")
    assert cli.main(args) == 0, "the same package again"
    out = capsys.readouterr().out
    assert "新增 0" in out and "未变 3" in out and _rows(office)[1] == stored, out
    with sqlite3.connect(office) as con:
        uuid = con.execute("SELECT i.uuid FROM inspection i JOIN item_result r ON r.inspection_id = i.id "
                           "WHERE r.photos != ''").fetchone()[0]
    pdf = tmp_path / "r.pdf"
    assert cli.main(["export", "record-pdf", "--db", str(office), "--inspection", uuid, "--out", str(pdf)]) == 0
    assert b"/Subtype /Image" in pdf.read_bytes() or b"/Subtype/Image" in pdf.read_bytes()


def test_a_damaged_stored_photo_prints_as_a_placeholder_not_a_failed_report(genuine, office, tmp_path, capsys):
    png = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 120, 200)).save(png, "PNG")
    data, _ = package_with_photo(genuine, png.getvalue())
    (tmp_path / "p.wpr").write_bytes(data)
    assert cli.main(["import", "results", str(tmp_path / "p.wpr"), "--db", str(office), "--user", "admin"]) == 0
    _, stored = _rows(office)
    kept = tmp_path / "office_photos" / stored[:2] / stored
    kept.write_bytes(hostile_images()["png-13000x13000-rgba"])  # damaged on disk, or kept before checks existed
    with sqlite3.connect(office) as con:
        uuid = con.execute("SELECT i.uuid FROM inspection i JOIN item_result r ON r.inspection_id = i.id "
                           "WHERE r.photos != ''").fetchone()[0]
    pdf = tmp_path / "r.pdf"
    assert cli.main(["export", "record-pdf", "--db", str(office), "--inspection", uuid, "--out", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"照片无法显示 {stored[:12]}" in text
    kept.unlink()
    assert cli.main(["export", "record-pdf", "--db", str(office), "--inspection", uuid, "--out", str(pdf)]) == 0
    assert "照片缺失" in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def test_a_laptop_photo_travels_byte_for_byte(genuine, office, tmp_path):
    laptop_jpeg = photos.normalised(_jpeg_with_exif(size=(640, 480), orientation=1))
    data, ref = package_with_photo(genuine, laptop_jpeg, ".jpg")
    (tmp_path / "p.wpr").write_bytes(data)
    assert cli.main(["import", "results", str(tmp_path / "p.wpr"), "--db", str(office), "--user", "admin"]) == 0
    assert _rows(office)[1] == ref
    assert (tmp_path / "office_photos" / ref[:2] / ref).read_bytes() == laptop_jpeg
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert json.loads(zf.read("manifest.json"))["files"][f"photos/{ref}"] == ref[:64]
