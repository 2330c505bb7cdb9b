#!/usr/bin/env bash
# Usage: smoke-test.sh [JAR]   (default target/swarmdb.jar)
# Runs the executable as an operator would, on a fresh database in a temporary directory, and
# prints one PASS/FAIL line per step, then "smoke-test: N passed, N failed". Exit 1 on any failure.
set -uo pipefail
JAR=${1:-target/swarmdb.jar}
if [ ! -f "$JAR" ]; then
  echo "smoke-test: $JAR not found; build it with ./mvnw -q package -DskipTests" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/data/swarm.db
passed=0
failed=0
out=$tmp/out
err=$tmp/err

swarmdb() { java -jar "$JAR" "$@" >"$out" 2>"$err"; }
json() { python3 -c "import json,sys; d=json.load(open('$out')); print($1)"; }
step() {
  local name=$1
  shift
  if "$@"; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/  stdout: /' "$out" | head -20
    sed 's/^/  stderr: /' "$err" | head -20
    failed=$((failed + 1))
  fi
}
exit_is() { local want=$1; shift; "$@"; [ $? -eq "$want" ]; }

step "--help lists every command and the exit codes" \
  bash -c 'java -jar "$0" --help >"$1" 2>&1 && for c in init demo size info health verify migrate backup restore cleanup vacuum export import serve; do grep -qw "$c" "$1" || { echo "missing $c" >>"$1"; exit 1; }; done' "$JAR" "$out"
step "--version" swarmdb --version
step "size of a missing database exits 3 and creates nothing" \
  bash -c 'java -jar "$0" --db "$1" size >/dev/null 2>&1; rc=$?; [ $rc -eq 3 ] && [ ! -e "$1" ]' "$JAR" "$db"
step "unknown flag exits 2" exit_is 2 swarmdb --db "$db" size --no-such-flag
step "init creates the database" swarmdb --db "$db" init
step "database file is 0600" bash -c '[ "$(stat -c %a "$0")" = 600 ]' "$db"
step "demo --agents 8 --sessions 2" swarmdb --db "$db" demo --agents 8 --sessions 2
step "size prints one number" bash -c 'java -jar "$0" --db "$1" size >"$2" && grep -Eq "^[0-9]+$" "$2" && [ "$(wc -l <"$2")" -eq 1 ]' "$JAR" "$db" "$out"
step "health --json is healthy" bash -c 'java -jar "$0" --db "$1" health --json >"$2" && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"status\"]==\"healthy\" and d[\"database\"]==\"connected\", d" "$2"' "$JAR" "$db" "$out"
step "info --json: schema 1, 12 indexes" bash -c 'java -jar "$0" --db "$1" info --json >"$2" && python3 - "$2" <<"PY"
import json, sys
d = json.load(open(sys.argv[1]))
text = json.dumps(d)
idx = d.get("indexes")
assert idx is not None and len(idx) == 12, idx
assert d.get("schemaVersion") == 1, d.get("schemaVersion")
PY' "$JAR" "$db" "$out"
step "verify --full exits 0" swarmdb --db "$db" verify --full
step "backup --dir writes a 0600 backup" bash -c 'java -jar "$0" --db "$1" backup --dir "$2/backups" --keep-days 30 >/dev/null && f=$(ls "$2"/backups/* | head -1) && [ "$(stat -c %a "$f")" = 600 ]' "$JAR" "$db" "$tmp"
step "export --out, import --in round trip" bash -c 'java -jar "$0" --db "$1" export --out "$2/events.jsonl" >/dev/null && java -jar "$0" --db "$2/copy.db" import --in "$2/events.jsonl" >/dev/null && java -jar "$0" --db "$2/copy.db" import --in "$2/events.jsonl" >/dev/null && [ "$(java -jar "$0" --db "$2/copy.db" export | wc -l)" -eq "$(wc -l <"$2/events.jsonl")" ]' "$JAR" "$db" "$tmp"
step "restore without --force refuses to replace" bash -c 'f=$(ls "$2"/backups/* | head -1); java -jar "$0" --db "$1" restore --from "$f" >/dev/null 2>&1; [ $? -ne 0 ]' "$JAR" "$db" "$tmp"
step "restore --from backup --force" bash -c 'f=$(ls "$2"/backups/* | head -1); java -jar "$0" --db "$1" restore --from "$f" --force >/dev/null && java -jar "$0" --db "$1" verify >/dev/null' "$JAR" "$db" "$tmp"
step "cleanup --events-older-than 30d" swarmdb --db "$db" cleanup --events-older-than 30d --expired-memory
step "vacuum" swarmdb --db "$db" vacuum
step "migrate --dry-run" swarmdb --db "$db" migrate --dry-run
step "corrupt file: verify exits non-zero" bash -c 'head -c 8192 /dev/urandom >"$1/bad.db"; java -jar "$0" --db "$1/bad.db" verify >/dev/null 2>&1; [ $? -ne 0 ]' "$JAR" "$tmp"

echo "smoke-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
