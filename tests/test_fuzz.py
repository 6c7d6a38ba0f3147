"""100 damaged or hostile packages and 100 damaged or hostile rosters (.xlsx and CSV), seeded, through
the command line: each ends in exit 0 (still valid) or one line and exit 2, nothing changed, no
traceback, the import's traced peak memory under 100 MB. The benchmark runs 1,000 of each."""

from benchmarks.fuzz import LIMIT_MB, fuzz


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
