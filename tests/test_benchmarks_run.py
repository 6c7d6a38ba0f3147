"""The benchmark script runs (at a tiny scale) so it cannot rot; its figures are not asserted."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmarks_run_quickly_and_write_json(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--suite", "all", "--quick", "--json", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = data["ui"]
    assert {r["step"] for r in rows} == {"open inspection", "one tick"}
    assert all(r["ms"] > 0 and r["baseline_ms"] > 0 for r in rows)
    steps = {r["step"]: r for r in data["exports"]}
    assert steps["details workbook"]["ratio"] > 0 and steps["label sheet PDF"]["seconds"] > 0
    year = {r["step"]: r for r in data["year"]}
    assert {"generate year", "monthly ranking by window", "probation sweep", "monthly details workbook",
            "start-up to first window", "start-up to main window (manager)", "sign-in to main window (inspector)",
            "package: import package"} <= set(year)
    assert year["start-up to first window"]["ratio"] > 0
    imports = {r["step"]: r for r in data["import"]}
    assert imports["import package"]["ratio"] > 0 and imports["import again"]["detail"].startswith("unchanged")
    update = {r["step"]: r for r in data["update"]}
    assert update["write update (office)"]["ratio"] > 0 and update["apply update (laptop)"]["seconds"] > 0
    assert update["apply the same again"]["detail"] == "no change"
