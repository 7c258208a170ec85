#!/usr/bin/env bash
# skiff benchmark harness (issue 3): builds skiff in Release, runs B1..B5 and the peers
# (beanstalkd -f 0 concurrent, Celery+Redis concurrent, nginx static file, fsync probe) in the
# same session, interleaved when RUNS>1, and writes bench/results/<UTC stamp>.md.
#
# Usage: bench/run.sh [--quick]
#   --quick        tiny sizes (seconds, for a CI smoke); the table is printed, targets not judged
# Env:
#   RUNS (1)             rounds; every round runs every benchmark and peer once, in turn
#   BUILD_DIR (build-bench)  skiff's Release build dir (relative to the repo root)
#   SKIP_PEERS=1         skiff only (no apt, no peers)
#   SKIP_BUILD=1         use the binaries already in $BUILD_DIR
#   K (16)               B1/B2: concurrency of each of the 4 `skiff worker` processes
#   B3_PAR (4)           B3: in-process worker slots, and threads of the bare spawn loop
#   KEEP_WORKDIR=1       keep the data folders and logs (under /tmp/skiff-bench.*)
#   plus size overrides: B1_TASKS B1_PACED_S B2_JOBS B3_TASKS B4_JOBS B4_JOB_TASKS WRK_SECONDS
#   BEANSTALK_JOBS CELERY_TASKS FSYNC_SECONDS
#
# Everything listens on 127.0.0.1 only. Every process started here is tracked by PID and stopped
# (TERM, then KILL after 15 s) on exit; every wait is bounded by a count and a deadline.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
PEERS=$ROOT/../shared/bench/peers
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

QUICK=0
for a in "$@"; do
  case $a in
    --quick) QUICK=1;;
    -h|--help) sed -n '2,22p' "$0"; exit 0;;
    *) echo "usage: bench/run.sh [--quick]" >&2; exit 2;;
  esac
done

RUNS=${RUNS:-1}
BUILD_DIR=${BUILD_DIR:-build-bench}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR;; esac
K=${K:-16}
NWORKERS=4
B3_PAR=${B3_PAR:-4}
if ((QUICK)); then
  B1_TASKS=${B1_TASKS:-2000}; B1_PACED_S=${B1_PACED_S:-1}; B2_JOBS=${B2_JOBS:-200}
  B3_TASKS=${B3_TASKS:-300}; B4_JOBS=${B4_JOBS:-2}; B4_JOB_TASKS=${B4_JOB_TASKS:-5000}
  WRK_SECONDS=${WRK_SECONDS:-2}; BEANSTALK_JOBS=${BEANSTALK_JOBS:-2000}
  CELERY_TASKS=${CELERY_TASKS:-300}; FSYNC_SECONDS=${FSYNC_SECONDS:-1}
else
  B1_TASKS=${B1_TASKS:-100000}; B1_PACED_S=${B1_PACED_S:-5}; B2_JOBS=${B2_JOBS:-10000}
  B3_TASKS=${B3_TASKS:-20000}; B4_JOBS=${B4_JOBS:-10}; B4_JOB_TASKS=${B4_JOB_TASKS:-100000}
  WRK_SECONDS=${WRK_SECONDS:-10}; BEANSTALK_JOBS=${BEANSTALK_JOBS:-100000}
  CELERY_TASKS=${CELERY_TASKS:-20000}; FSYNC_SECONDS=${FSYNC_SECONDS:-5}
fi
B2_JOB_TASKS=10
PACED_JOB_TASKS=10
PACED_CLIENTS=${PACED_CLIENTS:-16}  # open-loop: enough connections that submits are not serialized

# ---------------------------------------------------------------- process and folder hygiene
_PIDS=()
WD=$(mktemp -d "${BENCH_TMP:-/tmp}/skiff-bench.XXXXXX")
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
track_pid() { _PIDS+=("$1"); }
STOP_KILLED=0
stop_pid() { # stop_pid PID [GRACE_S=15]: TERM, wait, then KILL; only PIDs started here, forgotten afterwards
  local pid=$1 grace=${2:-15} i keep=()
  STOP_KILLED=0
  for i in "${_PIDS[@]}"; do [ "$i" = "$pid" ] || keep+=("$i"); done
  _PIDS=("${keep[@]}")
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still running ${grace} s after TERM; KILL"; kill -KILL "$pid" 2>/dev/null || true; STOP_KILLED=1
  fi
  wait "$pid" 2>/dev/null || true
}
FINISHED=0
cleanup() {
  local rc=$? i
  trap - ERR
  for ((i=${#_PIDS[@]}-1; i>=0; i--)); do stop_pid "${_PIDS[$i]}"; done
  if ((!FINISHED)) && [ -s "${RAW:-/nonexistent}" ] && grep -q '^RESULT' "$RAW"; then
    # stopped early: keep what was measured, marked incomplete
    echo "META incomplete=run.sh stopped early (exit $rc)" >> "$RAW"
    write_report || true
  fi
  if [ -z "${KEEP_WORKDIR:-}" ]; then rm -rf "$WD"; else log "kept $WD"; fi
}
trap cleanup EXIT
trap 'log "run.sh: SIGINT"; exit 130' INT
trap 'log "run.sh: SIGTERM"; exit 143' TERM
trap 'log "run.sh: SIGHUP"; exit 129' HUP
trap 'log "run.sh: command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

RAW=$WD/raw.txt
: > "$RAW"
result() { # result NAME key=value ...  (the peers' RESULT line format)
  local line="RESULT $(date -u +%Y-%m-%dT%H:%M:%SZ) $* load1=$(cut -d' ' -f1 /proc/loadavg)"
  echo "$line" >&2
  echo "$line" >> "$RAW"
}
note() { echo "NOTE $*" >> "$RAW"; log "NOTE $*"; }

# ---------------------------------------------------------------- build
if [ -z "${SKIP_BUILD:-}" ]; then
  log "building skiff (Release) in $BUILD_DIR"
  BUILD_DIR=$BUILD_DIR BUILD_TYPE=Release "$ROOT/scripts/build.sh" -DSKIFF_TESTS=OFF >"$WD/build.log" 2>&1 \
    || { tail -40 "$WD/build.log" >&2; exit 1; }
  log "building the load driver in $BUILD_DIR/bench-driver"
  { cmake -S "$BENCH" -B "$BUILD_DIR/bench-driver" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build "$BUILD_DIR/bench-driver" -j"$(nproc)"; } >"$WD/build-driver.log" 2>&1 \
    || { tail -40 "$WD/build-driver.log" >&2; exit 1; }
fi
SKIFF=$BUILD_DIR/skiff
DRV=$BUILD_DIR/bench-driver/skiff-bench
[ -x "$SKIFF" ] && [ -x "$DRV" ] || { echo "missing $SKIFF or $DRV" >&2; exit 1; }

# ---------------------------------------------------------------- skiff processes
# start_skiff NAME up|server [--listen 127.0.0.1:PORT] [flags...]: sets SK_PID SK_URL SK_KEY SK_DATA
start_skiff() {
  local name=$1 verb=$2; shift 2
  local listen=127.0.0.1:0
  if [ "${1:-}" = --listen ]; then listen=$2; shift 2; fi
  SK_DATA=$WD/$name
  mkdir -p "$SK_DATA"
  rm -f "$WD/$name.port"
  "$SKIFF" "$verb" --data "$SK_DATA" --listen "$listen" --port-file "$WD/$name.port" \
      --log-level warn "$@" >>"$WD/$name.log" 2>&1 &
  SK_PID=$!; track_pid "$SK_PID"
  local i
  for i in $(seq 600); do  # up to 60 s (recovery of a big data folder happens before listening)
    [ -s "$WD/$name.port" ] && break
    kill -0 "$SK_PID" 2>/dev/null || { tail -20 "$WD/$name.log" >&2; echo "skiff $verb exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$WD/$name.port" ] || { echo "skiff $verb did not listen within 60 s" >&2; exit 1; }
  SK_URL=http://127.0.0.1:$(cat "$WD/$name.port")
  SK_KEY=$(cat "$SK_DATA/admin.key")
  for i in $(seq 300); do
    curl -sf -o /dev/null "$SK_URL/readyz" && return 0
    sleep 0.1
  done
  echo "skiff $verb not ready within 30 s" >&2; exit 1
}

WORKER_PIDS=()
start_workers() { # start_workers N CONCURRENCY: standalone workers over HTTP (key via env, not argv)
  local n=$1 k=$2 i
  WORKER_PIDS=()
  for i in $(seq "$n"); do
    SKIFF_KEY=$SK_KEY "$SKIFF" worker --server "$SK_URL" --concurrency "$k" --name "bench-w$i" \
        --log-level warn >>"$WD/worker$i.log" 2>&1 &
    track_pid $!; WORKER_PIDS+=($!)
  done
}
stop_workers() { # TERM them all first (each may sit in a 5 s long poll), then reap one by one
  local p
  for p in "${WORKER_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${WORKER_PIDS[@]}"; do stop_pid "$p"; done
  WORKER_PIDS=()
}
# The data is thrown away, so a server gets SKIFF_STOP_GRACE s (5) to stop gracefully (its final
# checkpoint writes every changed job document), then KILL; how long it took is noted.
stop_skiff() {
  local t0; t0=$(date +%s%N)
  stop_pid "$SK_PID" "${SKIFF_STOP_GRACE:-5}"
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if ((STOP_KILLED)); then note "$(basename "$SK_DATA"): skiff did not stop within ${SKIFF_STOP_GRACE:-5} s of SIGTERM (killed)"
  elif ((ms > 1000)); then note "$(basename "$SK_DATA"): graceful stop took $ms ms"; fi
  [ -n "${KEEP_WORKDIR:-}" ] || rm -rf "$SK_DATA"
}

drv() { timeout 900 "$DRV" "$@"; }

# A line of key=value from the driver, with the key= job= fields we do not aggregate dropped.
kv_clean() { tr ' ' '\n' | grep -v -e '^job=' -e '^ids=' | tr '\n' ' '; }
kv_get() { tr ' ' '\n' | awk -F= -v k="$1" '$1==k{print $2}'; }

# ---------------------------------------------------------------- the benchmarks
b1() { # B1 dispatch: one job of B1_TASKS skiff:noop tasks; then the paced latency run
  local mode=$1 out rate lat
  if [ "$mode" = server ]; then
    start_skiff "b1-$mode" server
    start_workers "$NWORKERS" "$K"
    sleep 0.5  # workers connected and long-polling
    local cfg="workers=$NWORKERS concurrency=$K"
  else
    start_skiff "b1-$mode" up --workers $((NWORKERS * K))
    local cfg="slots=$((NWORKERS * K))"
  fi
  log "B1 $mode: $B1_TASKS noop tasks in one job ($cfg)"
  out=$(drv dispatch --url "$SK_URL" --key "$SK_KEY" --tasks "$B1_TASKS") || { echo "B1 $mode failed: $out" >&2; exit 1; }
  result skiff_b1 "mode=$mode" $cfg $(kv_clean <<<"$out")
  rate=$(kv_get tasks_per_s <<<"$out"); rate=$((rate / 2)); ((rate > 0)) || rate=100
  log "B1 $mode latency: jobs of $PACED_JOB_TASKS tasks at $rate tasks/s (half the rate above) for ${B1_PACED_S}s"
  lat=$(drv paced --url "$SK_URL" --key "$SK_KEY" --rate "$rate" --job-tasks "$PACED_JOB_TASKS" \
          --seconds "$B1_PACED_S" --clients "$PACED_CLIENTS") || { echo "B1 $mode paced failed: $lat" >&2; exit 1; }
  result skiff_b1_latency "mode=$mode" $cfg $(kv_clean <<<"$lat")
  [ "$mode" = server ] && stop_workers
  stop_skiff
}

b2() { # B2 many jobs: B2_JOBS x 10 tasks from 4 clients while 4 standalone workers drain
  local out
  start_skiff b2 server
  start_workers "$NWORKERS" "$K"
  sleep 0.5
  log "B2: $B2_JOBS jobs x $B2_JOB_TASKS tasks from 4 clients"
  out=$(drv many-jobs --url "$SK_URL" --key "$SK_KEY" --jobs "$B2_JOBS" --job-tasks "$B2_JOB_TASKS" \
          --clients 4) || { echo "B2 failed: $out" >&2; exit 1; }
  result skiff_b2 "workers=$NWORKERS" "concurrency=$K" $(kv_clean <<<"$out")
  stop_workers
  stop_skiff
}

b3() { # B3 real processes: /bin/true through the local process executor vs bare posix_spawn
  local out
  log "B3 bare: $B3_TASKS posix_spawn+waitpid of /bin/true, $B3_PAR threads"
  out=$(drv spawn --n "$B3_TASKS" --par "$B3_PAR" --path /bin/true) || { echo "bare spawn failed: $out" >&2; exit 1; }
  result bare_spawn "par=$B3_PAR" $(kv_clean <<<"$out")
  start_skiff b3 up --workers "$B3_PAR"
  log "B3 skiff: $B3_TASKS /bin/true tasks, skiff up --workers $B3_PAR"
  out=$(drv dispatch --url "$SK_URL" --key "$SK_KEY" --tasks "$B3_TASKS" --argv '["/bin/true"]') \
    || { echo "B3 failed: $out" >&2; exit 1; }
  result skiff_b3 "slots=$B3_PAR" $(kv_clean <<<"$out")
  stop_skiff
}

b4() { # B4 recovery and memory: B4_JOBS x B4_JOB_TASKS pending tasks, kill -9, restart
  local port out total rss hwm du_alloc du_app t_kill ready listed rss2 du2 jkib skib
  total=$((B4_JOBS * B4_JOB_TASKS))
  port=$(free_port)  # the same port for the restart (recovery runs before the server listens)
  start_skiff b4 up --listen "127.0.0.1:$port" --workers 0
  log "B4: $B4_JOBS jobs x $B4_JOB_TASKS tasks pending (--workers 0)"
  out=$(drv submit --url "$SK_URL" --key "$SK_KEY" --tasks "$B4_JOB_TASKS" --count "$B4_JOBS") \
    || { echo "B4 submit failed: $out" >&2; exit 1; }
  local submit_s; submit_s=$(kv_get submit_s <<<"$out")
  sleep 3  # a few checkpoints (every 1 s) have written the documents
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$SK_PID/status"); hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$SK_PID/status")
  du_alloc=$(du -s --block-size=1 "$SK_DATA" | cut -f1); du_app=$(du -sb "$SK_DATA" | cut -f1)
  jkib=$(du -sk "$SK_DATA/journal" 2>/dev/null | cut -f1 || echo 0); skib=$(du -sk "$SK_DATA/store" | cut -f1)
  log "B4: kill -9 $SK_PID and restart"
  t_kill=$(date +%s%N)
  kill -KILL "$SK_PID"; wait "$SK_PID" 2>/dev/null || true
  local i keep=(); for i in "${_PIDS[@]}"; do [ "$i" = "$SK_PID" ] || keep+=("$i"); done; _PIDS=("${keep[@]}")
  "$SKIFF" up --data "$SK_DATA" --listen "127.0.0.1:$port" --workers 0 --log-level warn >>"$WD/b4.log" 2>&1 &
  SK_PID=$!; track_pid "$SK_PID"
  out=$(drv wait-ready --url "$SK_URL" --key "$SK_KEY" --jobs "$B4_JOBS" --timeout-s 300) \
    || { tail -20 "$WD/b4.log" >&2; echo "B4 restart failed" >&2; exit 1; }
  ready=$(kv_get ready_ns <<<"$out"); listed=$(kv_get listed_ns <<<"$out")
  rss2=$(awk '/^VmRSS:/{print $2}' "/proc/$SK_PID/status")
  du2=$(du -s --block-size=1 "$SK_DATA" | cut -f1)
  result skiff_b4 "jobs=$B4_JOBS" "pending_tasks=$total" "submit_s=$submit_s" \
    "rss_mb=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')" \
    "rss_mb_per_1m_tasks=$(awk -v k="$rss" -v n="$total" 'BEGIN{printf "%.1f", k/1024*1e6/n}')" \
    "hwm_mb=$(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}')" \
    "disk_bytes_per_task=$(awk -v b="$du_alloc" -v n="$total" 'BEGIN{printf "%.1f", b/n}')" \
    "apparent_bytes_per_task=$(awk -v b="$du_app" -v n="$total" 'BEGIN{printf "%.1f", b/n}')" \
    "journal_kib=$jkib" "store_kib=$skib" \
    "restart_ready_s=$(awk -v a="$ready" -v t="$t_kill" 'BEGIN{printf "%.3f", (a-t)/1e9}')" \
    "restart_listed_s=$(awk -v a="$listed" -v t="$t_kill" 'BEGIN{printf "%.3f", (a-t)/1e9}')" \
    "rss_mb_after_restart=$(awk -v k="$rss2" 'BEGIN{printf "%.1f", k/1024}')" \
    "disk_bytes_per_task_after_restart=$(awk -v b="$du2" -v n="$total" 'BEGIN{printf "%.1f", b/n}')"
  stop_skiff
}

wrk_ms() { # wrk latency like 312.00us / 2.15ms / 1.02s -> ms
  awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}' <<<"$1"
}

b5() { # B5 API reads: wrk on GET /v1/jobs/{id} of a small finished job
  local out id lua
  start_skiff b5 up --workers 2
  id=$(drv submit --url "$SK_URL" --key "$SK_KEY" --tasks 2 | kv_get ids)
  drv wait-job --url "$SK_URL" --key "$SK_KEY" --job "$id" >/dev/null || { echo "B5 job did not succeed" >&2; exit 1; }
  lua=$WD/b5-auth.lua
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$SK_KEY" > "$lua"
  log "B5: wrk -t2 -c64 -d${WRK_SECONDS}s GET /v1/jobs/$id"
  out=$(timeout $((WRK_SECONDS + 60)) wrk -t2 -c64 -d"${WRK_SECONDS}s" --latency -s "$lua" "$SK_URL/v1/jobs/$id")
  echo "$out" >> "$WD/b5-wrk.txt"
  result skiff_b5 threads=2 conns=64 "secs=$WRK_SECONDS" "doc_bytes=$(curl -s -H "Authorization: Bearer $SK_KEY" "$SK_URL/v1/jobs/$id" | wc -c)" \
    "req_per_s=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")" \
    "p50_ms=$(wrk_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")" \
    "p99_ms=$(wrk_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")" \
    "non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out" | grep . || echo 0)" \
    "socket_errors=$(awk '/Socket errors/{gsub(/,/,""); print $4+$6+$8+$10}' <<<"$out" | grep . || echo 0)"
  stop_skiff
}

peer() { # peer SCRIPT ARGS...: the shared peer scripts append RESULT lines to $RAW
  local script=$1; shift
  if [ -n "${SKIP_PEERS:-}" ]; then return 0; fi
  [ -x "$PEERS/$script" ] || { note "peer script $PEERS/$script missing; skipped"; return 0; }
  log "peer: $script $*"
  if ! env -u KEEP_WORKDIR RESULTS_FILE="$RAW" timeout 1200 "$PEERS/$script" "$@" >>"$WD/peers.log" 2>&1; then
    note "peer $script $* failed (exit $?); last lines: $(tail -3 "$WD/peers.log" | tr '\n' ' ')"
  fi
}

# ---------------------------------------------------------------- machine, versions
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/$STAMP$( ((QUICK)) && echo -quick || true).md
write_report() { mkdir -p "$BENCH/results" && "$PY" "$BENCH/report.py" "$RAW" > "$OUT"; }
{
  echo "META date=$(date -u +%FT%TZ)"
  echo "META machine=$(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME"), $(awk -F: '/model name/{gsub(/^ +/,"",$2); print $2; exit}' /proc/cpuinfo)"
  echo "META disk=$(findmnt -no FSTYPE,OPTIONS -T "$WD" | head -1)"
  echo "META skiff=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty src') Release, $(c++ --version | head -1)"
  echo "META mode=$([ $QUICK = 1 ] && echo quick || echo full) runs=$RUNS K=$K workers=$NWORKERS b3_par=$B3_PAR"
  echo "META sizes=B1 $B1_TASKS tasks, paced ${B1_PACED_S}s of $PACED_JOB_TASKS-task jobs; B2 $B2_JOBS x $B2_JOB_TASKS; B3 $B3_TASKS; B4 $B4_JOBS x $B4_JOB_TASKS; B5 wrk ${WRK_SECONDS}s; beanstalkd $BEANSTALK_JOBS; celery $CELERY_TASKS"
} >> "$RAW"

# wrk is needed for B5 (the peers install it too; install it here when they are skipped)
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends wrk >"$WD/apt.log" 2>&1 \
      || { apt-get -o DPkg::Lock::Timeout=600 update -q >>"$WD/apt.log" 2>&1 &&
           DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends wrk >>"$WD/apt.log" 2>&1; } \
      || true
  fi
fi
HAVE_WRK=1; command -v wrk >/dev/null || { HAVE_WRK=0; note "wrk not installed: B5 skipped"; }

# ---------------------------------------------------------------- the rounds (interleaved)
T_START=$(date +%s)
for r in $(seq "$RUNS"); do
  log "=== round $r/$RUNS"
  FSYNC_SECONDS=$FSYNC_SECONDS peer bench_limits.sh disk
  b1 server
  JOBS=$BEANSTALK_JOBS peer bench_beanstalkd.sh f0:concurrent
  b1 inproc
  TASKS=$CELERY_TASKS peer bench_celery.sh celery:concurrent
  b2
  b3
  b4
  if ((HAVE_WRK)); then
    b5
    WRK_SECONDS=$WRK_SECONDS PYCLIENT_SECONDS=1 peer bench_limits.sh http
  fi
done
echo "META duration_s=$(( $(date +%s) - T_START ))" >> "$RAW"
{ echo "META versions=$(beanstalkd -v 2>/dev/null | head -1), redis $(redis-server --version 2>/dev/null | sed -n 's/.*v=\([0-9.]*\).*/\1/p'), celery $($PY -c 'import celery; print(celery.__version__)' 2>/dev/null), $(nginx -v 2>&1 | sed 's|.*/|nginx |'), wrk $(wrk -v 2>&1 | awk 'NR==1{print $2}')"; } >> "$RAW"

write_report
FINISHED=1
cat "$OUT"
log "wrote $OUT"
