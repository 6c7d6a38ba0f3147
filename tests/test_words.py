"""Words from facts: a quarter's sheets say 本季度 and 季度, `verify` names a quarter's ranking as one, a
decided appeal says how it was decided, a published month says it was published, the notice's deadline
is the table's, and a scheme's weights are summed only when every weight reads."""

import datetime as dt
import subprocess

import pytest

import cli
from app import periods
from app.assessment import schemes
from app.errors import PatrolError
from app.loop import appeals, approvals, publishing, verify
from tests.conftest import at
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_a_quarters_sheets_speak_of_the_quarter(roster, db_target, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    person = roster.person("F1", "A01")
    for day in ("2026-10-05", "2026-11-05"):
        inspect(roster.windows["A01"], roster.inspector, person, at(day))
    pdf, book = tmp_path / "q.pdf", tmp_path / "q.xlsx"
    assert cli.main(["export", "ranking-pdf", "--quarter", "2026-Q4", "--db", db_target, "--out", str(pdf)]) == 0
    assert cli.main(["export", "excel", "--quarter", "2026-Q4", "--db", db_target, "--out", str(book)]) == 0
    out = capsys.readouterr().out
    assert "2026年第4季度季度工作簿" in out and "月度工作簿" not in out
    text = _pdf_text(pdf)
    assert "本季度“微笑之星”" in text and "本季度流动红旗窗口" in text and "本月" not in text
    assert verify._named("R", "2026-Q4.window") == "季度排名" and verify._named("R", "2026.window") == "年度排名"
    assert verify._named("R", "2026-10.window") == "月度排名"


def test_a_decided_appeal_says_how_it_was_decided(roster, db_target, capsys, monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret2")
    failed = inspect(roster.windows["A01"], roster.inspector, roster.person("F1", "A01"), at("2026-10-05"),
                     fail=FAILING)
    appeal = appeals.record_appeal(roster.manager, failed, [FAILING[0]], "本人不服", today=at("2026-10-06").date())
    assert cli.main(["appeal", "decide", str(appeal.id), "--reject", "--reason", "录像清楚", "--db", db_target,
                     "--user", "boss"]) == 0
    assert capsys.readouterr().out.strip() == f"申诉 {appeal.id}: 申诉不成立"


def test_a_weight_refused_is_not_summed_into_a_wrong_total():
    text = schemes.shipped("default.toml").text.replace(
        '{ kind = "patrol", weight = 100, name = "巡查平均分" }', '{ kind = "patrol", weight = -10, name = "巡查平均分" }', 1)
    with pytest.raises(PatrolError) as refused:
        schemes.parse_scheme(text, "bad.toml")
    assert "须为 0–100 之间的数" in str(refused.value) and "各项权重之和" not in str(refused.value)


def test_publishing_a_published_month_again_says_when_and_by_whom(roster, monkeypatch):
    monkeypatch.setattr(approvals, "_required", lambda *a, **k: True)  # the second approval on: status asked
    inspect(roster.windows["A01"], roster.inspector, roster.person("F1", "A01"), at("2026-10-05"))
    publishing.publish(roster.manager, OCT, "十月定稿", today=dt.date(2026, 11, 20))
    with pytest.raises(PatrolError, match=r"^2026年10月排名已于\d{4}-\d\d-\d\d \d\d:\d\d由boss发布$"):
        approvals.publish_or_request(roster.manager, OCT, "再发一次", today=dt.date(2026, 11, 21))


def test_an_audit_entry_says_each_changed_field_old_to_new_in_words():
    import json

    from app.audit import changes

    old = json.dumps({"probation_days": 30, "second_approval": False, "smile_star_max": 5})
    new = json.dumps({"probation_days": 45, "second_approval": True, "smile_star_max": 5})
    assert changes(old, new) == [("考察期天数", "30", "45"), ("双人审批 (改变结论的记录修改和发布排名须另一名管理员批准)", "否", "是")]
    assert changes(json.dumps({"result": "pass"}), json.dumps({"result": "fail"}))[0][1:] == ("合格", "不合格")
    assert changes("", json.dumps("fail")) == [("值", "—", "不合格")]
    assert changes(json.dumps(1), json.dumps(1)) == []
    assert changes("", json.dumps({"score": 90.0}))[0][1:] == ("—", "90")


def test_an_empty_list_in_an_audit_value_reads_none_not_a_blank():
    import json

    from app.audit import in_words

    words = in_words(json.dumps({"imported": 3, "conflict_details": [], "note": ""}))
    assert "冲突详情: 无" in words and ": ;" not in words and not words.endswith(": ")
