#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the PostgreSQL tests and prints its JDBC URL.
#
#   url=$(src/test/scripts/start-postgres.sh)      # prints jdbc:postgresql://127.0.0.1:PORT/swarmdb_test?user=...
#   export SWARMDB_TEST_PG_URL="$url"
#   ./mvnw -B verify
#   src/test/scripts/stop-postgres.sh
#
# The cluster lives in a new temporary directory (its path is written to
# ${SWARMDB_PG_STATE:-/tmp/swarmdb-pg.state} for stop-postgres.sh), listens on 127.0.0.1 only, on a
# free port, with trust authentication for local connections. It uses Debian's packaged server
# (/usr/lib/postgresql/*/bin) or whatever pg_ctl is on the PATH. Run as root, the cluster belongs
# to the 'postgres' user (created if missing), because the server refuses to run as root.
# Diagnostics go to stderr; stdout carries only the URL.
set -euo pipefail

state_file=${SWARMDB_PG_STATE:-/tmp/swarmdb-pg.state}
db_name=${SWARMDB_PG_DB:-swarmdb_test}

# Never overwrite the record of a cluster that still exists: stop-postgres.sh could no longer find
# it, and it would run on after the caller's cleanup.
if [ -f "$state_file" ]; then
  recorded=$(head -n 1 "$state_file")
  if [ -d "$recorded/data" ]; then
    echo "start-postgres: $state_file already records the cluster in $recorded; stop it with" \
      "src/test/scripts/stop-postgres.sh, or set SWARMDB_PG_STATE to another file" >&2
    exit 2
  fi
fi

bin_dir=""
if command -v pg_ctl >/dev/null 2>&1; then
  bin_dir=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ]; then bin_dir=$d; break; fi
  done
fi
if [ -z "$bin_dir" ]; then
  echo "start-postgres: no pg_ctl found; install PostgreSQL (apt-get install postgresql)" >&2
  exit 2
fi

run_as=""
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres >&2
  fi
  run_as=postgres
fi
as_owner() {
  if [ -n "$run_as" ]; then
    # runuser keeps no root privileges and needs no password
    runuser -u "$run_as" -- "$@"
  else
    "$@"
  fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/swarmdb-pg.XXXXXX")
chmod 0700 "$dir"
if [ -n "$run_as" ]; then chown "$run_as" "$dir"; fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)

as_owner "$bin_dir/initdb" -D "$dir/data" -U swarmdb --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || as_owner "$bin_dir/initdb" -D "$dir/data" -U swarmdb --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }

as_owner "$bin_dir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=on" start >&2 \
  || { cat "$dir/server.log" >&2; exit 1; }

printf '%s\n%s\n%s\n' "$dir" "$bin_dir" "$run_as" >"$state_file"

as_owner "$bin_dir/createdb" -h 127.0.0.1 -p "$port" -U swarmdb "$db_name" >&2

echo "jdbc:postgresql://127.0.0.1:$port/$db_name?user=swarmdb"
