#!/usr/bin/env bash
# Install into .venv, check the import contracts, and run every test, on SQLite and on PostgreSQL.
# Uses the server in WINDOW_PATROL_TEST_PG if set; otherwise starts a throwaway one on 127.0.0.1
# (Debian's postgresql package, installed by tests/system-packages.sh when run as root). Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/system-packages.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt -r tests/requirements.txt
if [ -z "${WINDOW_PATROL_TEST_PG:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  eval "$(bash tests/pg.sh start)"
  trap 'bash tests/pg.sh stop "$WP_PG_DIR"' EXIT
fi
export QT_QPA_PLATFORM=offscreen
# The core's layers and the forbidden imports (.importlinter): a part that imports upward fails here.
.venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
