#!/usr/bin/env bash
# Do the tests catch broken rules? mutmut (tests/requirements.txt) over the modules that decide pay and
# jobs: each mutant (a changed operator, constant or condition) is run against the tests that reach it;
# a mutant the tests do not fail "survives". Not part of CI (it takes an hour or more on 2 cores); run it
# by hand after changing a rule, and see docs/mutation.md for the last figures and the survivors judged
# harmless. Works on a copy of the checked-in files in a scratch folder, so the repository is untouched.
#   bash tests/mutation.sh                 # every module below
#   bash tests/mutation.sh app/loop/appeals.py   # one or more of them
#   MUTATION_SAMPLE=500 MUTATION_SEED=23 bash tests/mutation.sh   # a random sample of the mutants
#   MUTATION_NAMES=survivors.txt bash tests/mutation.sh   # the named mutants again ("name: status" lines)
# On SQLite only (WINDOW_PATROL_TEST_PG unset): the rules are the same on both backends.
set -euo pipefail
cd "$(dirname "$0")/.."
MODULES=(app/patrolling/scoring.py app/results/rankings.py app/results/probation.py app/results/probation_rules.py
         app/loop/rectification.py app/loop/appeals.py app/loop/publishing.py app/assessment/assess.py
         app/assessment/awards.py app/centres/workdays.py)
[ $# -gt 0 ] && MODULES=("$@")
TESTS=(tests/test_scoring.py tests/test_inspections.py tests/test_rankings.py tests/test_probation.py
       tests/test_replay.py tests/test_rule_changes.py tests/test_rectification.py tests/test_loop.py
       tests/test_assessment.py tests/test_ratings.py tests/test_notices.py tests/test_workdays.py
       tests/test_appeals.py tests/test_centre_wall.py tests/test_figures_by_centre.py)
[ -x .venv/bin/mutmut ] || .venv/bin/pip install -q -r tests/requirements.txt
WORK="${MUTATION_DIR:-/tmp/window-patrol-mutation}"
rm -rf "$WORK" && mkdir -p "$WORK"
git ls-files -z | xargs -0 cp --parents -t "$WORK"
{
  echo "[mutmut]"
  echo "source_paths=app"
  echo "only_mutate="; printf '    %s\n' "${MODULES[@]}"
  echo "also_copy="; printf '    %s\n' tests exports cli forms checklists resources benchmarks main.py pytest.ini
  echo "pytest_add_cli_args_test_selection="; printf '    %s\n' "${TESTS[@]}"
  echo "pytest_add_cli_args="; printf '    %s\n' -p no:cacheprovider -q
} > "$WORK/setup.cfg"
cd "$WORK"
unset WINDOW_PATROL_TEST_PG
export QT_QPA_PLATFORM=offscreen
SAMPLE=()
if [ -n "${MUTATION_SAMPLE:-}" ]; then
  # Generate every mutant first (cheap), then draw the names to run: a fixed seed draws the same sample.
  mapfile -t SAMPLE < <("$OLDPWD/.venv/bin/python" - "${MUTATION_SAMPLE}" "${MUTATION_SEED:-23}" <<'PY'
import contextlib, json, pathlib, random, sys
from mutmut.__main__ import copy_src_dir, create_mutants
pathlib.Path("mutants").mkdir(exist_ok=True)
with contextlib.redirect_stdout(sys.stderr):  # generation prints each file's path; only names go out
    copy_src_dir()
    create_mutants(2)
names = sorted(name for meta in pathlib.Path("mutants").rglob("*.meta")
               for name in json.loads(meta.read_text()).get("exit_code_by_key", {}))
for name in random.Random(int(sys.argv[2])).sample(names, min(int(sys.argv[1]), len(names))):
    print(name)
PY
  )
  echo "a sample of ${#SAMPLE[@]} mutants (seed ${MUTATION_SEED:-23})"
elif [ -n "${MUTATION_NAMES:-}" ]; then
  # Mutants named by an earlier run (its survivors.txt), run again against the tests as they are now; a
  # function changed since numbers its mutants afresh, so a name there may mean another mutant.
  "$OLDPWD/.venv/bin/python" -c "from mutmut.__main__ import copy_src_dir, create_mutants; copy_src_dir(); create_mutants(2)" >/dev/null
  mapfile -t SAMPLE < <(cut -d: -f1 "$OLDPWD/$MUTATION_NAMES" 2>/dev/null || cut -d: -f1 "$MUTATION_NAMES")
  echo "${#SAMPLE[@]} named mutants"
fi
"$OLDPWD/.venv/bin/mutmut" run --max-children "${MUTATION_CHILDREN:-2}" "${SAMPLE[@]}" > run.log 2>&1 || true
"$OLDPWD/.venv/bin/python" - "$WORK" <<'PY'
import json, pathlib, sys
from mutmut.stats import status_by_exit_code
root = pathlib.Path(sys.argv[1], "mutants")
counts, survivors = {}, []
for meta in sorted(root.rglob("*.meta")):
    module = str(meta.relative_to(root))[:-5]
    for name, code in json.loads(meta.read_text()).get("exit_code_by_key", {}).items():
        status = status_by_exit_code[code]
        if status == "not checked":
            continue
        caught = status in ("killed", "timeout")  # a mutant that hangs the tests is caught too
        killed, total = counts.get(module, (0, 0))
        counts[module] = (killed + caught, total + 1)
        if not caught:
            survivors.append(f"{name}: {status}")
k, t = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
for module, (killed, total) in sorted(counts.items()):
    print(f"{module}: {killed}/{total} killed ({100 * killed / max(total, 1):.1f} %)")
print(f"all: {k}/{t} killed ({100 * k / max(t, 1):.1f} %)")
pathlib.Path(sys.argv[1], "survivors.txt").write_text("\n".join(survivors) + "\n")
print(f"survivors: {sys.argv[1]}/survivors.txt (see each with: cd {sys.argv[1]} && mutmut show <name>)")
PY
