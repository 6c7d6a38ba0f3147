"""Evidence files, kept by content: photos of faults and rectifications, and conduct documents, each
written once into the data folder under its SHA-256 and referenced by that hash. A photo is kept as the
checked, re-encoded JPEG `photos.normalised` makes of it, so the hash is of what is kept."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.errors import PatrolError
from app.patrolling import photos
from app.storage.locations import default_data_dir
from app.storage.proxy import sqlite_path

# A reference is the content's SHA-256 and the image type: nothing else ever names a photo file. Photos
# kept before they were re-encoded may be PNG, GIF or BMP.
REF = re.compile(r"[0-9a-f]{64}\.(png|jpg|gif|bmp)")


def photo_dir() -> Path:
    """Beside a SQLite database (so the two travel together), else in the user data folder."""
    path = sqlite_path()
    return path.with_name(path.stem + "_photos") if path else default_data_dir() / "photos"


def store_photo(data: bytes) -> str:
    """Check image bytes, keep their re-encoded JPEG once (same picture, same file); return its reference
    `<sha256>.jpg`. Raises PatrolError saying what is wrong with the image."""
    return _keep(photos.normalised(data))[0]


def _keep(kept: bytes) -> tuple[str, bool]:
    """A checked JPEG kept under its own hash: (reference, whether it is new here)."""
    ref = hashlib.sha256(kept).hexdigest() + ".jpg"
    return ref, write_once(photo_path(ref), kept)


def receive_photo(ref: str, data: bytes) -> tuple[str, bool]:
    """A photo a package names `ref` (its bytes already matched the name): the reference it is kept
    under, and whether it is new here. A laptop of ours sends the JPEG it kept, which is kept byte for
    byte under the same name; anything else is checked and re-encoded like a photo taken here, and
    named by what is kept."""
    if photo_path(ref).exists():
        return ref, False  # checked when it was kept
    if ref.endswith(".jpg") and photos.is_normalised(data):
        return ref, write_once(photo_path(ref), data)
    return _keep(photos.normalised(data))


def photo_thumbnail(ref: str, side: int = photos.THUMB_SIDE) -> bytes | None:
    """A small JPEG of a kept photo for a report (or a laptop's re-check); None when it is missing or
    cannot be read."""
    try:
        path = photo_path(ref)
        if path.stat().st_size > photos.MAX_BYTES:
            return None
        return photos.thumbnail(path.read_bytes(), side)
    except (OSError, PatrolError):
        return None


def write_once(target: Path, data: bytes) -> bool:
    """Write a file named by its content, once: to a part file, synced, then renamed into place, so a
    crash never leaves half a file under a content's name. Whether it was written (not there before)."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return True


def store_photo_file(path: str | Path) -> str:
    """Keep a photo file (see store_photo); a refusal names the file."""
    path = Path(path)
    try:
        if path.stat().st_size > photos.MAX_BYTES:  # not read at all
            raise PatrolError(f"{path.name}: 图片过大 ({path.stat().st_size / 2**20:.1f} MB), "
                              f"上限 {photos.MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise PatrolError(f"无法读取图片 {path}: {exc.strerror}") from None
    try:
        return store_photo(data)
    except PatrolError as exc:
        raise PatrolError(f"{path.name}: {exc}") from None


def store_photo_files(paths: list[str | Path], progress=None) -> tuple[list[str], list[str]]:
    """Keep each photo file: (the references kept, one line for each file refused, naming it)."""
    refs, refused = [], []
    for n, path in enumerate(paths):
        try:
            refs.append(store_photo_file(path))
        except PatrolError as exc:
            refused.append(str(exc))
        if progress:
            progress(n + 1, len(paths))
    return refs, refused


def photo_path(ref: str) -> Path:
    if not REF.fullmatch(ref):  # never a path: a reference from a file could say "../../etc/passwd"
        raise PatrolError(f"照片引用无效: {ref[:40]!r}")
    return photo_dir() / ref[:2] / ref


def store_document(path: Path) -> str:
    """A document file kept by content in the evidence folder: '<sha256>.<ext> <original name>'."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xlsx", ".txt"):
        raise PatrolError(f"{path.name}: 证明材料须为 PDF、图片、Word、Excel 或文本文件")
    try:
        if path.stat().st_size > 20 * 2**20:
            raise PatrolError(f"{path.name}: 证明材料超过 20 MB")
        data = path.read_bytes()
    except OSError as exc:
        raise PatrolError(f"无法读取 {path}: {exc.strerror}") from None
    ref = hashlib.sha256(data).hexdigest() + suffix
    write_once(photo_dir() / "documents" / ref, data)
    return f"{ref} {path.name[:80]}"
