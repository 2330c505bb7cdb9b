#!/usr/bin/env bash
# Usage: smoke-test.sh [JAR]   (default target/swarmdb.jar)
# Runs the executable as an operator would, on a fresh database in a temporary directory, and
# prints one PASS/FAIL line per step (with the step's output when it fails), then
# "smoke-test: N passed, N failed". Exits 1 on any failure.
set -uo pipefail
JAR=${1:-target/swarmdb.jar}
if [ ! -f "$JAR" ]; then
  echo "smoke-test: $JAR not found; build it with ./mvnw -q package -DskipTests" >&2
  exit 1
fi
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
db=$tmp/data/swarm.db
passed=0
failed=0
unset MOAI_DB_PATH MOAI_LOG_LEVEL
export MOAI_ENV=production # JSON log lines at WARN: only problems reach stderr

swarmdb() { java -jar "$JAR" "$@"; }
exits() { # exits CODE COMMAND...: the command's exit code is CODE
  local want=$1 rc=0
  shift
  "$@" || rc=$?
  [ "$rc" -eq "$want" ] || { echo "exit code $rc, expected $want"; return 1; }
}
step() { # step NAME COMMAND...
  local name=$1
  shift
  if "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/    stdout: /' "$tmp/out" | tail -15
    sed 's/^/    stderr: /' "$tmp/err" | tail -15
    failed=$((failed + 1))
  fi
}

help_lists_commands() {
  swarmdb --help >"$tmp/help.txt" || return 1
  local c missing=""
  for c in init demo size info health verify migrate backup restore cleanup vacuum export import serve \
    MOAI_ENV MOAI_DB_PATH MOAI_LOG_LEVEL MOAI_ENABLE_METRICS MOAI_METRICS_PORT MOAI_HTTP_PORT; do
    grep -qw -- "$c" "$tmp/help.txt" || missing="$missing $c"
  done
  [ -z "$missing" ] || { echo "--help does not mention:$missing"; return 1; }
}
size_missing_creates_nothing() {
  exits 3 swarmdb --db "$tmp/none/swarm.db" size && [ ! -e "$tmp/none" ]
}
size_is_one_number() {
  swarmdb --db "$db" size >"$tmp/size.txt" &&
    grep -Eq '^[0-9]+$' "$tmp/size.txt" && [ "$(wc -l <"$tmp/size.txt")" -eq 1 ]
}
health_is_healthy() {
  swarmdb --db "$db" health --json >"$tmp/health.json" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="healthy" and d["database"]=="connected", d' "$tmp/health.json"
}
info_has_12_indexes() {
  swarmdb --db "$db" info --json >"$tmp/info.json" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schemaVersion"]==d["latestSchemaVersion"]==7 and d["indexCount"]==12 and len(d["indexes"])==12, d' "$tmp/info.json"
}
backup_is_0600() {
  swarmdb --db "$db" backup --dir "$tmp/backups" --keep-days 30 || return 1
  local f
  f=$(ls "$tmp"/backups/* | head -1)
  [ "$(stat -c %a "$f")" = 600 ] || { echo "$f has mode $(stat -c %a "$f")"; return 1; }
}
export_import_round_trip() {
  swarmdb --db "$db" export --out "$tmp/events.jsonl" &&
    swarmdb --db "$tmp/copy.db" import --in "$tmp/events.jsonl" &&
    swarmdb --db "$tmp/copy.db" import --in "$tmp/events.jsonl" &&
    swarmdb --db "$tmp/copy.db" export --out "$tmp/again.jsonl" &&
    cmp "$tmp/events.jsonl" "$tmp/again.jsonl"
}
latest_backup() { ls -t "$tmp"/backups/* | head -1; }
restore_refuses_without_force() {
  local rc=0
  swarmdb --db "$db" restore --from "$(latest_backup)" || rc=$?
  [ "$rc" -ne 0 ] || { echo "restore replaced the database without --force"; return 1; }
}
restore_with_force() {
  swarmdb --db "$db" restore --from "$(latest_backup)" --force && swarmdb --db "$db" verify
}
corrupt_file_fails_verify() {
  head -c 8192 /dev/urandom >"$tmp/bad.db"
  local rc=0
  swarmdb --db "$tmp/bad.db" verify || rc=$?
  [ "$rc" -ne 0 ] || { echo "verify accepted a file of random bytes"; return 1; }
}

step "--help lists every command and MOAI_* variable" help_lists_commands
step "--version" swarmdb --version
step "size of a missing database exits 3 and creates nothing" size_missing_creates_nothing
step "unknown flag exits 2" exits 2 swarmdb --db "$db" size --no-such-flag
step "bad duration (30x) exits 2" exits 2 swarmdb --db "$db" cleanup --events-older-than 30x
step "init creates the database" swarmdb --db "$db" init
step "database file is 0600" test "$(stat -c %a "$db")" = 600
step "demo --agents 8 --sessions 2" swarmdb --db "$db" demo --agents 8 --sessions 2
step "size prints one number" size_is_one_number
step "health --json is healthy" health_is_healthy
step "info --json: schema 7 (current), 12 indexes" info_has_12_indexes
step "verify --full exits 0" swarmdb --db "$db" verify --full
step "backup --dir --keep-days 30 writes a 0600 backup" backup_is_0600
step "export --out / import --in round trip, import idempotent" export_import_round_trip
step "restore without --force refuses to replace" restore_refuses_without_force
step "restore --from backup --force, then verify" restore_with_force
step "cleanup --events-older-than 30d --expired-memory" swarmdb --db "$db" cleanup --events-older-than 30d --expired-memory
step "vacuum" swarmdb --db "$db" vacuum
step "migrate --dry-run" swarmdb --db "$db" migrate --dry-run
step "a corrupt file fails verify" corrupt_file_fails_verify

echo "smoke-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
