"""A database made by the first released schema (tests/data/schema_v1.db) opens with this code."""

import shutil
from pathlib import Path

from app.periods import month
from app.results.rankings import rank
from app.storage import db as dbmod
from app.storage import migrations
from app.storage.models import Inspection, ItemResult, ProbationCase, ProbationEvent, Staff, Window

V1 = Path(__file__).parent / "data" / "schema_v1.db"


def test_a_first_schema_database_opens_migrates_and_keeps_everything(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(V1, path)
    database = dbmod.open_database(str(path))
    try:
        assert migrations.stored_version(database) == migrations.CURRENT_VERSION
        assert Window.select().count() == 40 and Staff.select().count() == 80
        scores = {i.uuid: (i.score, i.grade) for i in Inspection.select()}
        assert scores == {
            "7ccfd7b1-844a-4190-8da0-51abf40c16d9": (84.0, "不合格"),
            "1beb6296-c0d5-4f85-adc1-17120f762c87": (100.0, "优秀"),
            "5ca7794d-2100-4d3b-8301-6fa41e18e69d": (101.5, "优秀"),
        }
        assert ItemResult.select().count() == 373
        case = ProbationCase.get()
        assert case.status == "open" and ProbationEvent.select().count() == 2
        assert [r.code for r in rank(month("2026-09"))] == ["B01", "A01"]
        assert all(i.round_id is None for i in Inspection.select()), "v2 added rounds; old rows have none"
        assert list(tmp_path.glob("old.v1.*.bak")), "the v1 file is kept before migrating"
    finally:
        dbmod.close_database()
    assert V1.read_bytes() != b"" and path.exists()


def _v1_package(source: Path, out: Path, key: str) -> Path:
    """A package as the version before per-device keys made it: format 1, HMAC of the shared key."""
    import hashlib
    import hmac
    import json
    import zipfile

    with zipfile.ZipFile(source) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 1
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            if name not in ("manifest.json", "signature"):
                zf.writestr(name, data)
        zf.writestr("manifest.json", body)
        zf.writestr("signature", hmac.new(key.encode(), body, hashlib.sha256).hexdigest())
    return out


def test_the_old_shared_key_verifies_old_paper_and_packages_until_a_manager_ends_it(tmp_path):
    import datetime as dt
    import hashlib
    import hmac

    import pytest

    from app.errors import PatrolError
    from app.exchange import devices
    from app.exchange.results_import import import_package
    from app.exchange.results_package import export_results
    from app.keys.identity import local
    from app.loop import verify
    from app.storage.models import Centre, User
    from tests.helpers import inspect

    office, laptop = tmp_path / "office.db", tmp_path / "laptop.db"
    shutil.copy(V1, office)
    shutil.copy(V1, laptop)
    dbmod.open_database(str(laptop))  # an old laptop, upgraded before it was enrolled again
    window = Window.get(Window.code == "A02")
    inspect(window, User.get(User.username == "xuncha1"), window.staff.first(), dt.datetime(2026, 9, 20, 10))
    made = export_results(tmp_path / "new.wpr")
    key = Centre.get().signing_key
    dbmod.close_database()
    old_package = _v1_package(made.path, tmp_path / "old-format.wpr", key)

    dbmod.open_database(str(office))
    try:
        assert local().role == "office" and devices.legacy_key_active()
        first = Inspection.select().order_by(Inspection.id).first()
        content = verify._legacy_content("I", str(first.id))
        check = hmac.new(key.encode(), f"I:{first.id}:{content}".encode(), hashlib.sha256).hexdigest()[:16]
        old_paper = f"WPR1:I:{first.id}:{check}"
        verdict = verify.verify(old_paper)
        assert verdict.matches and "升级前" in verdict.message and any("窗口" in d for d in verdict.details)
        admin = User.get(User.username == "admin")
        with pytest.raises(PatrolError, match="未在本中心登记的设备"):
            import_package(made.path, admin)  # the upgraded laptop's own new key is nobody the office enrolled
        assert import_package(old_package, admin).new == 1
        devices.end_legacy_key(admin, "全部笔记本已重新登记")
        assert not verify.verify(old_paper).matches
        with pytest.raises(PatrolError, match="已停用"):
            import_package(_v1_package(made.path, tmp_path / "late.wpr", key), admin)
        from app.storage.models import AuditEntry

        assert AuditEntry.get(AuditEntry.action == "legacy_key.end").reason == "全部笔记本已重新登记"
    finally:
        dbmod.close_database()


def test_a_migrated_database_has_the_same_tables_columns_and_indexes_as_a_new_one(tmp_path):
    import sqlite3

    def shape(path: Path) -> dict:
        with sqlite3.connect(path) as con:
            tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite_%'")]
            out = {t: sorted(c[1] for c in con.execute(f'PRAGMA table_info("{t}")')) for t in tables}
            for t in tables:
                out[f"{t} indexes"] = sorted(
                    (tuple(c[2] for c in con.execute(f'PRAGMA index_info("{name}")')), bool(unique))
                    for _, name, unique, *_ in con.execute(f'PRAGMA index_list("{t}")') if not name.startswith("sqlite_"))
        return out

    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copy(V1, old)
    for path in (old, new):
        dbmod.open_database(str(path))
        dbmod.close_database()
    assert shape(old) == shape(new)
