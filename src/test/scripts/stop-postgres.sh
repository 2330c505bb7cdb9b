#!/usr/bin/env bash
# Stops the cluster that start-postgres.sh started and deletes its directory. Safe to run twice.
set -euo pipefail
state_file=${SWARMDB_PG_STATE:-/tmp/swarmdb-pg.state}
[ -f "$state_file" ] || exit 0
{ read -r dir; read -r bin_dir; read -r run_as || true; } <"$state_file"
if [ -d "$dir/data" ]; then
  if [ -n "${run_as:-}" ]; then
    runuser -u "$run_as" -- "$bin_dir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  else
    "$bin_dir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
fi
case "$dir" in
  */swarmdb-pg.*) rm -rf -- "$dir" ;;
esac
rm -f -- "$state_file"
