"""A database made by the first released schema (tests/data/schema_v1.db) opens with this code."""

import shutil
from pathlib import Path

from app import db as dbmod
from app import migrations
from app.models import Inspection, ItemResult, ProbationCase, ProbationEvent, Staff, Window
from app.periods import month
from app.rankings import rank

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
