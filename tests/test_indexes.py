"""The indexes are designed for the hot queries: EXPLAIN QUERY PLAN shows SQLite using them."""

import datetime as dt

import pytest

from app import periods
from app.results import rankings
from app.storage import db as dbmod
from app.storage.models import Inspection, ProbationCase


@pytest.fixture
def sqlite_db(tmp_path):
    database = dbmod.open_database(str(tmp_path / "plan.db"))
    yield database
    dbmod.close_database()


def plan(database, query) -> str:
    sql, params = query.sql()
    return " | ".join(row[3] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())


@pytest.mark.parametrize("by", ["window", "staff", "department"])
def test_monthly_rankings_read_only_the_months_finalised_inspections_by_index(sqlite_db, by):
    text = plan(sqlite_db, rankings._query(by, periods.month("2026-10")))
    assert "USING INDEX inspection_status_observed_at (status=? AND observed_at>? AND observed_at<?)" in text
    assert "SCAN" not in text.split("|")[0]


def test_the_probation_sweep_finds_due_cases_by_index(sqlite_db):
    query = ProbationCase.select().where((ProbationCase.status == "open") & (ProbationCase.ends_on < dt.date(2026, 11, 1)))
    assert "USING INDEX probation_case_status_ends_on" in plan(sqlite_db, query)


def test_imports_find_existing_inspections_by_uuid_index(sqlite_db):
    query = Inspection.select(Inspection.id).where(Inspection.uuid.in_(["a", "b"]))
    assert "INDEX inspection_uuid (uuid=?)" in plan(sqlite_db, query)


def test_a_persons_inspections_are_found_by_index(sqlite_db):
    start = dt.datetime(2026, 10, 1)
    query = Inspection.select().where((Inspection.staff == 1) & (Inspection.observed_at >= start))
    assert "USING INDEX inspection_staff_id_observed_at (staff_id=? AND observed_at>?)" in plan(sqlite_db, query)
