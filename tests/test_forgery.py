"""As an attacker who holds one enrolled laptop's database (its device key included) would: re-signed
packages that claim too much are refused with one line naming the record and the field, and the office
database is byte-for-byte (SQLite) or row-for-row (PostgreSQL) unchanged. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

import cli
from app.demo.centre import make_demo
from app.keys import signing
from app.loop import record_changes, verify
from app.storage import db as dbmod
from app.storage.models import ALL_MODELS, Inspection, User, Window
from tests.helpers import FAILING, enrol_laptop, export_from, on_laptop


@pytest.fixture(autouse=True)
def manager_password(monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")


@pytest.fixture
def setting(db_target, tmp_path):
    """The office (open) and one laptop with xuncha1 enrolled, two inspections on it, exported as good.wpr."""
    dbmod.open_database(db_target)
    make_demo(seed=9, with_inspections=False)
    laptop = tmp_path / "laptop1.db"
    key_id = enrol_laptop(db_target, laptop, tmp_path)
    dbmod.close_database()
    on_laptop(laptop, [("A01", "2026-10-05", ()), ("A02", "2026-10-06", FAILING)])
    good = export_from(laptop, tmp_path / "good.wpr").path
    yield db_target, laptop, good, key_id
    dbmod.close_database()


def laptop_key(laptop: Path) -> tuple[str, str]:
    """What the attacker reads from the laptop's database."""
    with sqlite3.connect(laptop) as con:
        return con.execute("SELECT key_id, private_key FROM identity").fetchone()


def forge(src: Path, out: Path, laptop: Path, change=None, manifest_change=None, text: str | bytes | None = None) -> Path:
    """Rewrite a package's records (and manifest) and sign it again with the laptop's own key."""
    with zipfile.ZipFile(src) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        records = [json.loads(line) for line in zf.read("inspections.jsonl").decode().splitlines() if line]
        photos = {n: zf.read(n) for n in zf.namelist() if n.startswith("photos/")}
    if change:
        change(records)
    if text is None:
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n" for r in records)
    data = text if isinstance(text, bytes) else text.encode()
    manifest["files"]["inspections.jsonl"] = hashlib.sha256(data).hexdigest()
    manifest["counts"]["inspections"] = len(records)
    if manifest_change:
        manifest_change(manifest)
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    key_id, private = laptop_key(laptop)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("inspections.jsonl", data)
        for name, photo in photos.items():
            zf.writestr(name, photo)
        zf.writestr("manifest.json", body)
        zf.writestr("signature", f"ed25519 {key_id} {signing.sign(private, body)}")
    return out


def state(target: str) -> object:
    """The office database as bytes (SQLite, checkpointed) or as every row of every table (PostgreSQL)."""
    dbmod.close_database()
    if "://" not in target:
        return Path(target).read_bytes()
    dbmod.open_database(target)
    try:
        return {m._meta.table_name: sorted(map(repr, m.select().tuples())) for m in ALL_MODELS}
    finally:
        dbmod.close_database()


def refused(capsys, target: str, package: Path, *expected: str) -> str:
    before = state(target)
    code = cli.main(["import", "results", str(package), "--db", target, "--user", "admin"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"one line, not {len(lines)}: {err}"
    for text in expected:
        assert text in lines[0], lines[0]
    assert state(target) == before, "a refused package changes nothing"
    return lines[0]


def first(fn):
    return lambda records: fn(records[0])


def test_the_genuine_package_imports(capsys, setting):
    target, _, good, _ = setting
    dbmod.close_database()
    assert cli.main(["import", "results", str(good), "--db", target, "--user", "admin"]) == 0
    assert "新增 2" in capsys.readouterr().out


ATTACKS = {
    "another_inspector": (first(lambda r: r.update(inspector="xuncha2")), ["inspector", "未登记在签名设备上"]),
    "score_over_failures": (lambda rs: rs[1].update(score=100.0, deductions=0.0, passed=True, grade="优秀"),
                            ["score 声称 100.0 应为 84.0", "passed 声称 True 应为 False"]),
    "raised_revision": (first(lambda r: r.update(revision=3)), ["revision", "笔记本只能提交首版记录"]),
    "nan_score": (first(lambda r: r.update(score=float("nan"))), ["不是有效的 JSON", "NaN"]),
    "infinite_score": (first(lambda r: r.update(score=float("inf"))), ["不是有效的 JSON", "Infinity"]),
    "negative_score": (first(lambda r: r.update(score=-5)), ["score", "超出范围"]),
    "timezone": (first(lambda r: r.update(observed_at="2026-10-05T10:00:00+08:00")), ["observed_at", "时区"]),
    "future": (first(lambda r: r.update(observed_at="2099-10-05T10:00:00")), ["observed_at", "将来"]),
    "photo_outside": (first(lambda r: r["results"][0].__setitem__(3, ["/etc/passwd"])), ["results", "照片"]),
    "markup_grade": (first(lambda r: r.update(grade='<img src="/etc/passwd"/>')), ["grade", "标记"]),
    "markup_note": (first(lambda r: r.update(note='<img src="/etc/passwd" width="800"/>')), ["note", "标记"]),
    "markup_item_note": (first(lambda r: r["results"][0].__setitem__(2, "<font size=80>x</font>")), ["results", "标记"]),
    "unknown_field": (first(lambda r: r.update(admin=True)), ["未知字段 admin"]),
    "uuid": (first(lambda r: r.update(uuid="../../x")), ["uuid"]),
    "long_note": (first(lambda r: r.update(note="x" * 10**6)), ["note"]),
    # Records as a person made them: every applicable check ticked, times in order, figures exact.
    "unticked_item": (first(lambda r: r.update(results=[x for x in r["results"] if x[0] != "DISC-07"])),
                      ["results", "缺少 1 个适用检查项的结果 (DISC-07)"]),
    "score_off_by_a_fraction": (lambda rs: rs[1].update(score=84.004), ["score 声称 84.004 应为 84.0"]),
    "finished_before_seen": (first(lambda r: r.update(finished_at="2026-10-04T10:00:00")), ["finished_at", "早于巡查时间"]),
    # The fixture's laptop was enrolled on 2025-01-01: nothing it signed was seen before.
    "before_enrolment": (first(lambda r: r.update(observed_at="2024-06-05T10:00:00", started_at="2024-06-05T10:00:00",
                                                  finished_at="2024-06-05T10:30:00")),
                         ["observed_at: 2024-06-05 10:00 早于签名设备登记的日期 (2025-01-01)"]),
    "finished_months_later": (first(lambda r: r.update(finished_at="2026-11-20T10:00:00")), ["finished_at", "超过 31 天"]),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_resigned_package_that_claims_too_much_is_refused_whole(capsys, setting, tmp_path, attack):
    target, laptop, good, _ = setting
    change, expected = ATTACKS[attack]
    forged = forge(good, tmp_path / f"{attack}.wpr", laptop, change)
    line = refused(capsys, target, forged, *expected)
    assert "记录" in line or "第 1 行" in line, "the record is named"


def test_a_signed_record_that_is_not_utf8_is_named_and_refused_in_one_line(capsys, setting, tmp_path):
    target, laptop, good, _ = setting
    lines = zipfile.ZipFile(good).read("inspections.jsonl").splitlines(keepends=True)
    broken = lines[0] + lines[1].replace(b'"note":"', b'"note":"\xff\xfe', 1)
    assert broken != b"".join(lines[:2])
    forged = forge(good, tmp_path / "latin.wpr", laptop, text=broken)
    refused(capsys, target, forged, "inspections.jsonl 第 2 行: 不是 UTF-8 文本")


@pytest.mark.parametrize("counts", [[1, 2], 3, "2", None], ids=["list", "wrong-number", "text", "missing"])
def test_a_manifest_whose_counts_are_not_a_table_is_refused_naming_what_it_claims(capsys, setting, tmp_path, counts):
    target, laptop, good, _ = setting
    forged = forge(good, tmp_path / "counts.wpr", laptop, manifest_change=lambda m: m.update(counts=counts))
    refused(capsys, target, forged, f"manifest.json: 记录数 {counts} 与实际 2 不符")


def test_a_package_of_blank_lines_is_refused_at_the_bound_not_read_to_its_end(capsys, setting, tmp_path):
    target, laptop, good, _ = setting
    forged = forge(good, tmp_path / "blank.wpr", laptop, text=zipfile.ZipFile(good).read("inspections.jsonl")
                   + b"\n" * 200_000)
    refused(capsys, target, forged, "inspections.jsonl: 空行超过 10000 行")


def test_a_result_for_an_item_that_does_not_apply_to_the_person_is_refused(capsys, setting, tmp_path):
    """A party-member item (DRESS-15) failed for someone the office knows is not a party member."""
    from app.storage.models import Staff

    target, laptop, good, _ = setting

    def party_item(records):
        r = records[0]
        r["results"] = [x for x in r["results"] if x[0] != "DRESS-15"] + [["DRESS-15", "pass", "", []]]

    forged = forge(good, tmp_path / "party.wpr", laptop, party_item)
    dbmod.open_database(target)
    first_record = json.loads(zipfile.ZipFile(good).read("inspections.jsonl").decode().splitlines()[0])
    Staff.update(party_member=False).where(Staff.employee_no == first_record["staff"]).execute()
    refused(capsys, target, forged, "results", "检查项不适用于该人员或窗口: DRESS-15")


def test_a_raised_revision_never_outranks_a_managers_amendment(capsys, setting, tmp_path):
    target, laptop, good, _ = setting
    dbmod.close_database()
    assert cli.main(["import", "results", str(good), "--db", target, "--user", "admin"]) == 0
    dbmod.open_database(target)
    insp = Inspection.get(Inspection.window == Window.get(Window.code == "A01"))
    record_changes.amend(insp, User.get(User.username == "admin"), {"DISC-07": "fail"}, "复看录像")
    uuid = insp.uuid
    forged = forge(good, tmp_path / "rev9.wpr", laptop, first(lambda r: r.update(revision=9)))
    refused(capsys, target, forged, "revision", "笔记本只能提交首版记录")
    dbmod.open_database(target)
    assert Inspection.get(Inspection.uuid == uuid).revision == 2


def test_a_package_signed_by_another_key_or_naming_another_device_is_refused(capsys, setting, tmp_path):
    target, laptop, good, _ = setting
    other = signing.new_key_pair()
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    key_id, _ = laptop_key(laptop)
    bad = tmp_path / "other-key.wpr"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data if name != "signature" else f"ed25519 {key_id} {signing.sign(other.private_hex, members['manifest.json'])}")
    refused(capsys, target, bad, "签名不符")
    spoof = forge(good, tmp_path / "spoof.wpr", laptop, manifest_change=lambda m: m.update(device="OFFICE1"))
    refused(capsys, target, spoof, "与签名设备", "不符")


def test_a_revoked_devices_later_packages_are_refused_and_what_it_sent_before_stays_marked(capsys, setting, tmp_path):
    target, laptop, good, key_id = setting
    dbmod.close_database()
    assert cli.main(["import", "results", str(good), "--db", target, "--user", "admin"]) == 0
    on_laptop(laptop, [("B03", "2026-10-07", ())])
    later = export_from(laptop, tmp_path / "later.wpr").path
    assert cli.main(["devices", "revoke", key_id, "--reason", "笔记本遗失", "--db", target, "--user", "admin"]) == 0
    capsys.readouterr()
    refused(capsys, target, later, "已于", "注销", "笔记本遗失")
    dbmod.open_database(target)
    kept = Inspection.select().where(Inspection.source_device == key_id)
    assert kept.count() == 2, "what it sent before stays, marked by its key"


def test_a_notice_printed_on_the_laptop_verifies_at_the_office_and_shows_the_record(capsys, setting, tmp_path):
    target, laptop, good, key_id = setting
    dbmod.open_database(str(laptop))
    failed = Inspection.get(Inspection.passed == False)  # noqa: E712
    printed = verify.payload("I", failed.uuid)
    forged_ranking = verify.payload("R", "2026-10.window")  # the laptop's key over a ranking it never made
    dbmod.close_database()
    assert f":{key_id}:" in printed
    assert cli.main(["verify", printed, "--db", target]) == 1, "not yet imported"
    assert "找不到" in capsys.readouterr().out
    assert cli.main(["import", "results", str(good), "--db", target, "--user", "admin"]) == 0
    capsys.readouterr()
    assert cli.main(["verify", printed, "--db", target]) == 0
    out = capsys.readouterr().out
    assert "与数据库一致" in out and "A02" in out and "84 分" in out and "DISC-07" in out and "打印者: 设备 笔记本1" in out
    assert cli.main(["verify", forged_ranking, "--db", target]) == 1
    assert "设备只能为自己的巡查记录签名" in capsys.readouterr().out
    # The office's key id with the laptop's signature: no key but the office's can make it.
    dbmod.open_database(target)
    from app.keys.identity import local

    office_id = local().key_id
    dbmod.close_database()
    _, private = laptop_key(laptop)
    body = printed.rsplit(":", 2)[0] + f":{office_id}"
    assert cli.main(["verify", f"{body}:{signing.sign(private, body.encode())}", "--db", target]) == 1
    assert "签名无效" in capsys.readouterr().out
    # An amendment after printing: the paper is genuine but no longer what the record says.
    dbmod.open_database(target)
    insp = Inspection.get(Inspection.uuid == failed.uuid)
    record_changes.amend(insp, User.get(User.username == "admin"), {"DISC-07": "pass"}, "复核")
    dbmod.close_database()
    assert cli.main(["verify", printed, "--db", target]) == 1
    out = capsys.readouterr().out
    assert "签名真实, 但打印后记录已更改" in out and "第 2 版" in out


def test_a_laptop_holds_no_managers_hash_and_no_key_but_its_own(setting, tmp_path):
    target, laptop, _, key_id = setting
    with sqlite3.connect(laptop) as con:
        roles = con.execute("SELECT username, role FROM user").fetchall()
        keys = con.execute("SELECT role, key_id, office_public_key FROM identity").fetchall()
        centre_key = con.execute("SELECT signing_key FROM centre").fetchone()[0]
    assert roles == [("xuncha1", "inspector")] and centre_key == ""
    assert [(r, k) for r, k, _ in keys] == [("device", key_id)]
    dbmod.open_database(target)
    from app.keys.identity import local

    assert keys[0][2] == local().public_key and local().private_key not in laptop.read_bytes().decode("latin-1")


def test_a_laptops_late_records_of_a_published_month_are_held_until_it_is_reopened(capsys, setting):
    """The package waits: refused whole, naming the month and how to re-open it; accepted once re-opened."""
    from app.loop import publishing
    from app.periods import month
    from app.storage.models import Centre, Publication

    target, _, good, _ = setting
    dbmod.open_database(target)
    Publication.create(centre=Centre.get(), period="2026-10", published_by="admin", fingerprint="0" * 16)
    before = state(target)
    assert cli.main(["import", "results", str(good), "--db", target, "--user", "admin"]) == 2
    err = capsys.readouterr().err
    assert err.count("2026年10月排名已于") == 2 and "publish --month 2026-10 --reopen" in err and "第 2 行" in err
    assert state(target) == before, "nothing of the package is written"
    dbmod.open_database(target)
    publishing.reopen(User.get(User.username == "admin"), month("2026-10"), "补录笔记本上的两条记录")
    dbmod.close_database()
    assert cli.main(["import", "results", str(good), "--db", target, "--user", "admin"]) == 0
    assert "新增 2" in capsys.readouterr().out
