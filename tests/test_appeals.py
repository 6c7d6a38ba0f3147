"""Recording and deciding appeals: what is refused and why, what is kept, and what the list shows."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.errors import PatrolError
from app.loop import appeals
from app.storage.models import Appeal, AuditEntry
from tests.helpers import inspect

FRIDAY = dt.datetime(2026, 10, 9, 10)  # the appeal window: Mon 12th, Tue 13th, Wed 14th


@pytest.fixture
def failed(roster):
    person = roster.person("P1", "A01")
    return inspect(roster.windows["A01"], roster.inspector, person, FRIDAY, fail=("DISC-07", "APPEAR-11"))


def test_an_appeal_is_kept_with_its_items_reason_photos_and_who_recorded_it_audited(roster, failed):
    appeal = appeals.record_appeal(roster.manager, failed, [" DISC-07 ", "", "APPEAR-11"], "  当时在接待群众 ",
                                   ("a" * 64 + ".jpg", "b" * 64 + ".jpg"), today=dt.date(2026, 10, 14))
    stored = Appeal.get_by_id(appeal.id)
    assert (stored.item_codes, stored.reason, stored.recorded_by, stored.state) == (
        "DISC-07,APPEAR-11", "当时在接待群众", "boss", "pending")
    assert stored.photos == "a" * 64 + ".jpg\n" + "b" * 64 + ".jpg"
    entry = AuditEntry.get(AuditEntry.action == "appeal.record")
    assert (entry.username, entry.target, entry.reason, entry.window_code, entry.employee_no) == (
        "boss", f"appeal:{appeal.id}", "当时在接待群众", "A01", "P1")
    assert json.loads(entry.new) == {"items": ["DISC-07", "APPEAR-11"], "inspection": failed.uuid}


def test_what_cannot_be_appealed_is_refused_with_the_reason(roster, failed):
    def refused(match, codes=("DISC-07",), reason="不服", today=dt.date(2026, 10, 14), record=failed):
        with pytest.raises(PatrolError, match=match):
            appeals.record_appeal(roster.manager, record, list(codes), reason, today=today)

    refused(r"申诉期已过: 须在2026-10-14当日或之前提出", today=dt.date(2026, 10, 15))
    refused(r"^请写明申诉的是哪几项扣分 \(检查项编号\)$", codes=(" ",))
    refused(r"^这些检查项在该记录中没有扣分: DRESS-01 \(扣分项: APPEAR-11, DISC-07\)$", codes=("DRESS-01",))
    refused(r"^须写明申诉理由 \(至多 2000 字\)$", reason=" ")
    refused(r"^须写明申诉理由", reason="理" * 2001)
    draft = inspect(roster.windows["A01"], roster.inspector, roster.staff["P1"], FRIDAY, finalise=False)
    refused(r"^只能对已定稿的巡查记录申诉$", record=draft)
    clean = inspect(roster.windows["A01"], roster.inspector, roster.staff["P1"], FRIDAY + dt.timedelta(hours=1))
    refused(r"扣分项: 无\)$", record=clean)
    appeals.record_appeal(roster.manager, failed, ["DISC-07"], "理" * 2000, today=dt.date(2026, 10, 14))
    refused(r"^该记录已有待复核的申诉$")
    assert Appeal.select().count() == 1


def test_a_decision_is_kept_with_who_when_and_why_and_the_score_it_left(roster, failed):
    appeal = appeals.record_appeal(roster.manager, failed, ["DISC-07"], "不服", today=dt.date(2026, 10, 12))
    decided = appeals.mark_decided(appeal.id, roster.manager, False, "录像清楚")
    assert (decided.state, decided.decided_by, decided.decision_reason) == ("rejected", "boss", "录像清楚")
    entry = AuditEntry.get(AuditEntry.action == "appeal.decide")
    assert (entry.reason, entry.window_code, entry.employee_no) == ("录像清楚", "A01", "P1")
    assert json.loads(entry.old) == {"status": "待复核"}
    assert json.loads(entry.new) == {"status": "申诉不成立", "score": failed.score}


def test_the_list_shows_each_appeal_with_its_record_window_person_and_state(roster, failed):
    appeal = appeals.record_appeal(roster.manager, failed, ["DISC-07"], "不服", today=dt.date(2026, 10, 12))
    (row,) = appeals.appeals(dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert (row.id, row.window, row.person, row.observed, row.items, row.reason, row.state) == (
        appeal.id, "A01", roster.staff["P1"].name, FRIDAY.date(), "DISC-07", "不服", "待复核")
    assert appeals.appeals(dt.date(2026, 10, 10), None) == [] and appeals.appeals(None, dt.date(2026, 10, 9)) == []
    appeals.mark_decided(appeal.id, roster.manager, True, "成立")
    assert appeals.appeals(pending_only=True) == [] and appeals.appeals()[0].state == "申诉成立 (已改判)"
