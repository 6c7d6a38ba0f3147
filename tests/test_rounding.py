"""四舍五入 everywhere a figure is shown: half up at the digits shown, computed in decimal on the
number as written. Python's round() would give 100.12, 99.62 and 6.2 % for the figures below."""

import subprocess

import pytest

import cli
from app import periods
from app.results.rankings import rank
from app.rounding import fixed, half_up, percent, short
from tests.conftest import at
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")


@pytest.mark.parametrize("value, digits, expected", [
    (100.125, 2, "100.13"), (98.625, 2, "98.63"), (99.625, 2, "99.63"), (0.125, 2, "0.13"), (2.5, 0, "3"),
    (-0.001, 2, "0.00"), (84.004, 2, "84.00"), (1.005, 2, "1.01"),
])
def test_a_figure_is_rounded_half_up_at_the_digits_shown(value, digits, expected):
    assert fixed(value, digits) == expected
    assert half_up(value, digits) == float(expected)


def test_percentages_round_half_up_and_short_figures_drop_trailing_zeros():
    assert percent(0.0625) == "6.3%" and percent(0.125, 0) == "13%" and percent(1) == "100.0%"
    assert short(95.5) == "95.5" and short(100.0) == "100" and short(99.625) == "99.63"


def test_a_windows_average_and_pass_rate_are_rounded_half_up_in_the_ranking_and_on_the_command_line(
        roster, capsys, db_target, monkeypatch, tmp_path):
    # A01: 100, 99.5, 99.5, 99.5 -> 99.625; A02: one pass in 16 -> 6.25 %
    person = roster.person("F1", "A01")
    for n, fails in enumerate([(), ("DESK-09",), ("DESK-09",), ("DESK-09",)]):
        inspect(roster.windows["A01"], roster.inspector, person, at(f"2026-10-{n + 1:02d}"), fail=fails)
    other = roster.person("F2", "A02")
    for n in range(16):
        inspect(roster.windows["A02"], roster.inspector, other, at(f"2026-10-{n + 1:02d}"), fail=FAILING if n else ())
    rows = {r.code: r for r in rank(OCT, "window")}
    assert rows["A01"].average_score == 99.63 and rows["A02"].pass_rate == 0.0625
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    assert cli.main(["rankings", "--month", "2026-10", "--db", db_target]) == 0
    out = capsys.readouterr().out
    a01 = next(line for line in out.splitlines() if "A01" in line)
    a02 = next(line for line in out.splitlines() if "A02" in line)
    assert "99.63" in a01 and "6.3%" in a02, out
    pdf = tmp_path / "ranking.pdf"
    assert cli.main(["export", "ranking-pdf", "--month", "2026-10", "--db", db_target, "--out", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "99.63" in next(line for line in text.splitlines() if "A01" in line)
    assert "6.3%" in next(line for line in text.splitlines() if "A02" in line)
