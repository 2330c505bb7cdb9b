#!/usr/bin/env bash
# Load test of the ops endpoint with ApacheBench (Debian: apt-get install apache2-utils).
#
#   src/test/load/ops-load.sh            # starts OpsLoadMain (test classes must be compiled:
#                                        #   ./mvnw -q test-compile), runs, stops it
#   src/test/load/ops-load.sh 8000       # targets an already running server on 127.0.0.1:8000
#
# Environment: REQUESTS (10000), CONCURRENCY (100), TIME_LIMIT seconds per run (120),
# PATHS ("/health /metrics"), EVENTS_PER_SECOND appended meanwhile (200), TOKEN (sent as a bearer token to /metrics when set).
# Prints p50/p95/p99 and failed requests per path; exits 1 when any request failed.
set -euo pipefail
cd "$(dirname "$0")/../../.."

REQUESTS=${REQUESTS:-10000}
CONCURRENCY=${CONCURRENCY:-100}
TIME_LIMIT=${TIME_LIMIT:-120}
PATHS=${PATHS:-/health /metrics}

command -v ab >/dev/null || { echo "ab not found: apt-get install apache2-utils" >&2; exit 2; }

server_pid=""
fifo_dir=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    exec 3>&- || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [[ -n "$fifo_dir" ]] && rm -rf "$fifo_dir"
}
trap cleanup EXIT

if [[ $# -ge 1 ]]; then
  port=$1
else
  [[ -d target/test-classes ]] || { echo "run ./mvnw -q test-compile first" >&2; exit 2; }
  cp_file=target/ops-load.classpath
  ./mvnw -q -o dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
  fifo_dir=$(mktemp -d)
  mkfifo "$fifo_dir/in"
  port=${OPS_LOAD_PORT:-18080}
  java -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
    io.moaiflow.swarmdb.ops.OpsLoadMain "$port" "${EVENTS_PER_SECOND:-200}" <"$fifo_dir/in" >"$fifo_dir/out" 2>"$fifo_dir/err" &
  server_pid=$!
  exec 3>"$fifo_dir/in"   # holding the write end open keeps the server running
  for _ in $(seq 1 120); do
    grep -q '^READY' "$fifo_dir/out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$fifo_dir/err" >&2; exit 3; }
    sleep 0.5
  done
  grep -q '^READY' "$fifo_dir/out" || { echo "server did not start" >&2; cat "$fifo_dir/err" >&2; exit 3; }
  echo "started OpsLoadMain: $(grep "^READY" "$fifo_dir/out")"
fi

echo "ab -l -s 30 -t $TIME_LIMIT -n $REQUESTS -c $CONCURRENCY on 127.0.0.1:$port"
status=0
for path in $PATHS; do
  headers=()
  if [[ "$path" == /metrics && -n "${TOKEN:-}" ]]; then
    headers=(-H "Authorization: Bearer $TOKEN")
  fi
  # -t before -n: -t alone implies 50000 requests; -l accepts varying body lengths.
  out=$(timeout $((TIME_LIMIT + 30)) ab -l -s 30 -t "$TIME_LIMIT" -n "$REQUESTS" -c "$CONCURRENCY" \
    "${headers[@]}" "http://127.0.0.1:$port$path" 2>&1) || { echo "$out" >&2; status=1; continue; }
  complete=$(awk '/^Complete requests:/ {print $3}' <<<"$out")
  failed=$(awk '/^Failed requests:/ {print $3}' <<<"$out")
  non2xx=$(awk '/^Non-2xx responses:/ {print $3}' <<<"$out")
  rps=$(awk '/^Requests per second:/ {print $4}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p95=$(awk '$1 == "95%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-9s complete=%s failed=%s non2xx=%s rps=%s p50=%sms p95=%sms p99=%sms\n' \
    "$path" "$complete" "$failed" "${non2xx:-0}" "$rps" "$p50" "$p95" "$p99"
  if [[ "$failed" != 0 || -n "$non2xx" || "$complete" != "$REQUESTS" ]]; then
    status=1
  fi
done
exit $status
