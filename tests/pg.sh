#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the tests.
#   eval "$(bash tests/pg.sh start)"   -> prints exports of WINDOW_PATROL_TEST_PG and WP_PG_DIR
#   bash tests/pg.sh stop DIR
set -euo pipefail

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

as_owner() {
  # initdb refuses to run as root; the cluster then belongs to the postgres system user.
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

case "${1:-}" in
  start)
    bin=$(pg_bin)
    if [ -z "$bin" ]; then echo "tests/pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; fi
    dir=$(mktemp -d /tmp/wp-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb -D $dir/data -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >$dir/initdb.log 2>&1"
    as_owner "$bin/pg_ctl -D $dir/data -l $dir/log -o '-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off' -w start >/dev/null"
    echo "export WINDOW_PATROL_TEST_PG=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "export WP_PG_DIR=$dir"
    ;;
  stop)
    dir=${2:?usage: tests/pg.sh stop DIR}
    bin=$(pg_bin)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl -D $dir/data -m immediate stop >/dev/null" || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: tests/pg.sh start | stop DIR" >&2; exit 2 ;;
esac
