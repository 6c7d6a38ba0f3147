"""100 damaged or hostile packages and 100 damaged or hostile rosters (.xlsx and CSV), seeded, through
the command line: each ends in exit 0 (still valid) or one line and exit 2, nothing changed, no
traceback, the import's traced peak memory under 100 MB. The benchmark runs 1,000 of each."""

from benchmarks.fuzz import LIMIT_MB, fuzz
from benchmarks.hostile_cases import LIMIT_MB as LIMIT
from benchmarks.hostile_cases import hostile_rows


def test_a_hundred_hostile_packages_and_rosters_each_end_in_a_clear_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    result = fuzz(100, seed=7, folder=tmp_path)
    assert result["problems"] == []
    assert result["peak_mb"] < LIMIT_MB
    outcomes = result["outcomes"]
    refused = sum(n for k, n in outcomes.items() if "refused" in k)
    assert refused >= 150, outcomes  # the generator makes mostly invalid files
    assert sum(outcomes.values()) == 200
    kinds = {k.split(": ")[1] for k in outcomes}
    assert {"field", "bomb", "nested", "merged", "sheet_bomb", "csv_bytes"} <= kinds, kinds


def test_each_named_hostile_case_ends_in_one_line_exit_2_nothing_changed_and_bounded_memory(tmp_path):
    """Image bombs and false images (in a package and as a file), dimension bombs in .xls and .ods, CSV of
    one endless line or an open quote, a package of blank lines, TOML nested deep or with a 5,000-digit
    number, invalid UTF-8, huge numbers and wrong JSON types in a record: each in a process of its own,
    its peak traced memory and peak RSS under 200 MB (the benchmark runs the full-size files)."""
    rows = hostile_rows(tmp_path, quick=True)
    assert len(rows) >= 20
    failed = [r for r in rows if not r["ok"]]
    assert failed == [], failed
    assert all(r["rss_mb"] < LIMIT for r in rows) and all(r["traced_mb"] < LIMIT for r in rows)
