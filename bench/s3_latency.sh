#!/usr/bin/env bash
# Tasks/s of one 10,000-task skiff:noop job with the store on the project's test S3
# (skiff_s3_test_server) at several artificial PUT latencies. Not part of the test suite.
#
#   bench/s3_latency.sh [BUILD_DIR]        (default build/; needs skiff and skiff_s3_test_server)
#   TASKS=10000 LATENCIES="0 10 50" WORKERS=4 ROUNDS=3 bench/s3_latency.sh
#
# Prints one line per latency: wall tasks/s (submit to finished, polled every 20 ms), the server's
# own span (finished_at - created_at) and the S3 requests the run made.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
tasks="${TASKS:-10000}"
workers="${WORKERS:-4}"
skiff="$build/skiff"
s3="$build/skiff_s3_test_server"
[ -x "$skiff" ] && [ -x "$s3" ] || { echo "build skiff and skiff_s3_test_server first" >&2; exit 2; }
tmp="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

ms_of() {  # "2026-11-22T10:00:00.123Z" -> epoch ms
  python3 -c 'import sys,datetime as d; t=d.datetime.strptime(sys.argv[1],"%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=d.timezone.utc); print(int(t.timestamp()*1000))' "$1"
}

for round in $(seq "${ROUNDS:-1}"); do
for latency in ${LATENCIES:-0 10 50}; do
  run="$tmp/run-$round-$latency"
  mkdir -p "$run"
  "$s3" --put-latency-ms "$latency" > "$run/s3.out" &
  s3pid=$!
  pids+=("$s3pid")
  for _ in $(seq 100); do [ -s "$run/s3.out" ] && break; sleep 0.05; done
  url="$(head -1 "$run/s3.out")"
  "$skiff" up --data "$run/data" --listen 127.0.0.1:0 --port-file "$run/port" --workers "$workers" \
    --store "$url" --log-level warn > "$run/skiff.log" 2>&1 &
  skpid=$!
  pids+=("$skpid")
  for _ in $(seq 200); do [ -s "$run/port" ] && break; sleep 0.05; done
  api="http://127.0.0.1:$(cat "$run/port")"
  key="$(cat "$run/data/admin.key")"
  start=$(date +%s%3N)
  id=$(curl -sf -H "Authorization: Bearer $key" -d "{\"argv\":[\"skiff:noop\"],\"items\":$tasks}" \
    "$api/v1/jobs" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')
  for _ in $(seq 30000); do
    doc=$(curl -sf -H "Authorization: Bearer $key" "$api/v1/jobs/$id?tasks=0")
    case "$doc" in *'"finished_at":null'*) sleep 0.02 ;; *) break ;; esac
  done
  end=$(date +%s%3N)
  fin=$(echo "$doc" | python3 -c 'import sys,json; print(json.load(sys.stdin)["finished_at"])')
  created=$(echo "$doc" | python3 -c 'import sys,json; print(json.load(sys.stdin)["created_at"])')
  span=$(( $(ms_of "$fin") - $(ms_of "$created") ))
  # Let a checkpoint land, then stop and read the request counts.
  sleep 1.5
  kill "$skpid"; wait "$skpid" || true
  kill "$s3pid"; wait "$s3pid" || true
  wall=$(( end - start ))
  echo "put_latency_ms=$latency tasks=$tasks wall_ms=$wall wall_tasks_per_s=$(( tasks * 1000 / (wall > 0 ? wall : 1) )) server_span_ms=$span server_tasks_per_s=$(( tasks * 1000 / (span > 0 ? span : 1) )) $(tail -1 "$run/s3.out")"
done
done
