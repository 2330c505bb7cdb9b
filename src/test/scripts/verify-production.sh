#!/usr/bin/env bash
# Production-readiness verification: one command, one PASS/FAIL line per item, then
# "verify-production: N passed, N failed". Named by docs/production/production-checklist.md.
#
#   bash src/test/scripts/verify-production.sh              # full: runs ./mvnw -B -ntp verify first
#   bash src/test/scripts/verify-production.sh --no-build   # reuse target/ from an earlier verify
#   ... --with-load                                          # also the ops load test (needs ab)
#
# CI (.ci/run, ci.yml, cd.yml) runs it with --no-build right after `./mvnw -B -ntp verify`.
#
# Items: the build with every gate (tests incl. the reliability suite, Error Prone + NullAway,
# -Xlint:all -Werror, Spotless, SpotBugs + FindSecBugs, ArchUnit, JaCoCo >= 90 %), test counts,
# line coverage, SpotBugs findings, Javadoc (doclint), the CycloneDX SBOM, the executable smoke
# test, database checks on a fresh database (WAL, 12 indexes, pragmas, permissions, integrity,
# health, backup/restore drill), the docs' shell blocks, the deployment files, the alert rules.
set -uo pipefail
cd "$(dirname "$0")/../../.."
build=1
load=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --with-load) load=1 ;;
    *) echo "usage: verify-production.sh [--no-build] [--with-load]" >&2; exit 2 ;;
  esac
done

JAR=target/swarmdb.jar
passed=0
failed=0
log_dir=$(mktemp -d)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

result() { # result OK NAME DETAIL
  if [ "$1" = 0 ]; then
    echo "PASS $2${3:+ — $3}"
    passed=$((passed + 1))
  else
    echo "FAIL $2${3:+ — $3}"
    failed=$((failed + 1))
  fi
}
item() { # item NAME LOG COMMAND... : runs the command, its output to LOG
  local name=$1 log=$2
  shift 2
  "$@" >"$log_dir/$log" 2>&1
  local rc=$?
  result $rc "$name" "$([ $rc = 0 ] && echo ok || echo "exit $rc, see $log_dir/$log")"
  return $rc
}

# 1. The build and every gate in it.
if [ $build = 1 ]; then
  item "build + all gates (./mvnw -B -ntp verify)" verify.log ./mvnw -B -ntp verify
fi

# 2. Figures from the build's reports.
figures=$(python3 - <<'PY'
import csv, glob, os, xml.etree.ElementTree as ET
t = f = e = s = rel = 0
for p in glob.glob("target/surefire-reports/TEST-*.xml"):
    r = ET.parse(p).getroot()
    n = int(r.get("tests", 0))
    t += n; f += int(r.get("failures", 0)); e += int(r.get("errors", 0)); s += int(r.get("skipped", 0))
    if ".reliability." in r.get("name", "") or "Reliability" in r.get("name", ""):
        rel += n
print("tests=%d failures=%d errors=%d skipped=%d reliability=%d" % (t, f, e, s, rel))
cov = "none"
if os.path.exists("target/site/jacoco/jacoco.csv"):
    miss = cov_ = 0
    for row in csv.DictReader(open("target/site/jacoco/jacoco.csv")):
        miss += int(row["LINE_MISSED"]); cov_ += int(row["LINE_COVERED"])
    cov = "%.1f" % (100.0 * cov_ / max(1, miss + cov_))
print("coverage=" + cov)
bugs = "none"
classes = [os.path.getmtime(p) for p in glob.glob("target/classes/**/*.class", recursive=True)]
if os.path.exists("target/spotbugsXml.xml") and classes and os.path.getmtime("target/spotbugsXml.xml") < max(classes):
    bugs = "stale"  # SpotBugs did not run on the current classes (the build stopped before it)
elif os.path.exists("target/spotbugsXml.xml"):
    bugs = str(len(ET.parse("target/spotbugsXml.xml").getroot().findall("BugInstance")))
print("spotbugs=" + bugs)
PY
)
eval "$(echo "$figures" | tr ' ' '\n')"
[ "$tests" -gt 0 ] && [ "$failures" = 0 ] && [ "$errors" = 0 ]
result $? "tests" "$tests run, $failures failed, $errors errors, $skipped skipped ($reliability in the reliability suite)"
[ "$coverage" != none ] && python3 -c "import sys; sys.exit(0 if float('$coverage') >= 90.0 else 1)"
result $? "line coverage >= 90 % (JaCoCo)" "$coverage %"
[ "$spotbugs" = 0 ]
result $? "static analysis: SpotBugs + FindSecBugs findings" "$spotbugs"

# 3. API documentation and SBOM.
item "Javadoc with doclint (./mvnw -B -ntp -q javadoc:javadoc)" javadoc.log ./mvnw -B -ntp -q javadoc:javadoc
sbom=$(python3 - <<'PY' 2>&1
import json
d = json.load(open("target/swarmdb.cdx.json"))
names = {c["name"] for c in d.get("components", [])}
assert d.get("bomFormat") == "CycloneDX", d.get("bomFormat")
assert "sqlite-jdbc" in names, sorted(names)
print("CycloneDX %s, %d components" % (d["specVersion"], len(names)))
PY
)
result $? "SBOM target/swarmdb.cdx.json" "$sbom"

# 4. The executable.
item "executable smoke test (src/test/scripts/smoke-test.sh)" smoke.log bash src/test/scripts/smoke-test.sh "$JAR"
tail -1 "$log_dir/smoke.log"

# 5. A fresh database, as the library creates it.
db=$tmp/memory/swarm.db
swarmdb() { java -jar "$JAR" --db "$db" "$@"; }
item "fresh database: init" init.log swarmdb init
swarmdb info --json >"$tmp/info.json" 2>"$log_dir/info.log"
dbcheck=$(python3 - "$tmp/info.json" <<'PY' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
p = {k.lower(): str(v).lower() for k, v in d["pragmas"].items()}
out = []
def need(ok, text):
    out.append(("ok   " if ok else "BAD  ") + text)
need(p.get("journal_mode") == "wal", "journal_mode=%s (want wal)" % p.get("journal_mode"))
need(d["indexCount"] == 12, "%d indexes (want 12)" % d["indexCount"])
need(p.get("cache_size") == "10000", "cache_size=%s (want 10000)" % p.get("cache_size"))
need(p.get("synchronous") in ("1", "normal", "2", "full"), "synchronous=%s" % p.get("synchronous"))
need(p.get("foreign_keys") in ("1", "on", "true"), "foreign_keys=%s" % p.get("foreign_keys"))
need(d["schemaVersion"] == d["latestSchemaVersion"], "schema %s of %s" % (d["schemaVersion"], d["latestSchemaVersion"]))
print("\n".join(out))
sys.exit(0 if all(l.startswith("ok") for l in out) else 1)
PY
)
rc=$?
echo "$dbcheck" | sed 's/^/     /'
result $rc "fresh database: WAL, 12 indexes, cache_size 10000, synchronous, foreign keys, schema current"
[ "$(stat -c %a "$db")" = 600 ] && [ "$(stat -c %a "$(dirname "$db")")" = 700 ]
result $? "fresh database: file 0600, directory 0700" "$(stat -c %a "$db") / $(stat -c %a "$(dirname "$db")")"
if command -v sqlite3 >/dev/null 2>&1; then
  n=$(sqlite3 "$db" .schema | grep -c 'CREATE INDEX')
  [ "$n" = 12 ]
  result $? "sqlite3 swarm.db .schema | grep -c 'CREATE INDEX'" "$n"
fi
item "fresh database: verify --full (integrity_check, checksums, indexes, WAL, permissions)" verify-db.log swarmdb verify --full
swarmdb health --json >"$tmp/health.json" 2>"$log_dir/health.log"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['status']=='healthy' else 1)" "$tmp/health.json"
result $? "fresh database: health --json" "$(head -c 160 "$tmp/health.json")"

# Structured logs: JSON lines on stderr in production (stdout stays the report).
MOAI_ENV=production java -jar "$JAR" --db "$db" --verbose info >/dev/null 2>"$tmp/log.jsonl"
python3 - "$tmp/log.jsonl" <<'PY' >"$log_dir/logs.log" 2>&1
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines, "no log lines with --verbose"
for l in lines:
    d = json.loads(l)
    assert "level" in d and ("message" in d or "formattedMessage" in d), d
print(len(lines), "JSON log lines")
PY
result $? "structured logs: JSON lines on stderr with MOAI_ENV=production" "$(tail -1 "$log_dir/logs.log")"

# Invalid configuration is refused, naming the variable.
MOAI_ENV=prod java -jar "$JAR" --db "$db" health >/dev/null 2>"$tmp/env.err"
rc=$?
[ $rc = 2 ] && grep -q MOAI_ENV "$tmp/env.err"
result $? "configuration: MOAI_ENV=prod rejected with exit 2 naming the variable" "exit $rc"

# 6. Restore drill: demo data, backup, the database destroyed, restore, verify, same row counts.
drill() {
  swarmdb demo --agents 8 --sessions 2 >/dev/null &&
    swarmdb info --json >"$tmp/before.json" &&
    swarmdb backup --dir "$tmp/backups" --keep-days 30 &&
    head -c 4096 /dev/urandom | dd of="$db" bs=4096 seek=1 conv=notrunc 2>/dev/null &&
    { swarmdb verify >/dev/null 2>&1 && { echo "corruption was not detected"; return 1; } || true; } &&
    swarmdb restore --from "$(ls -t "$tmp"/backups/* | head -1)" --force &&
    swarmdb verify --full &&
    swarmdb info --json >"$tmp/after.json" &&
    python3 -c "import json,sys; a,b=(json.load(open(f))['rowCounts'] for f in sys.argv[1:]); print(a); sys.exit(0 if a==b else 1)" "$tmp/before.json" "$tmp/after.json"
}
start=$(date +%s)
item "restore drill: backup, corrupt, restore --force, verify --full, row counts equal" drill.log drill
echo "     restore drill took $(($(date +%s) - start)) s"

# Load: 10,000 requests at concurrency 100 on /health and /metrics (ab, loopback only), events
# appended meanwhile; p95 must stay under 100 ms (src/test/load/ops-load.sh, from the ops work).
if [ $load = 0 ]; then
  echo "SKIP load test: run with --with-load (ab on loopback, about a minute)"
elif [ -x src/test/load/ops-load.sh ] && command -v ab >/dev/null 2>&1; then
  if item "load test: 10,000 requests, concurrency 100, /health and /metrics, 0 failed" load.log bash src/test/load/ops-load.sh; then
    python3 - "$log_dir/load.log" <<'PY'
import re, sys
worst = 0.0
for line in open(sys.argv[1]):
    m = re.search(r"p95=([0-9.]+)ms", line)
    if m:
        print("     " + line.strip())
        worst = max(worst, float(m.group(1)))
sys.exit(0 if worst < 100 else 1)
PY
    result $? "load test: p95 < 100 ms on every path"
  fi
else
  result 1 "load test" "needs src/test/load/ops-load.sh, compiled test classes and ab (Debian: apache2-utils)"
fi

# 7. Docs, deployment files, alert rules.
item "docs: shell blocks run (src/test/scripts/check-docs.sh)" docs.log bash src/test/scripts/check-docs.sh
tail -1 "$log_dir/docs.log"
item "deployment files (src/test/scripts/check-deploy.sh)" deploy.log bash src/test/scripts/check-deploy.sh
tail -1 "$log_dir/deploy.log"
if command -v promtool >/dev/null 2>&1 && [ -f docs/production/alerts.yml ]; then
  item "alert rules (promtool check rules docs/production/alerts.yml)" promtool.log promtool check rules docs/production/alerts.yml
fi

echo "logs: $log_dir"
echo "verify-production: $passed passed, $failed failed"
[ "$failed" = 0 ]
