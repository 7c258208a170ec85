#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang in build-fuzz/ and runs each for a fixed
# time on its seed corpus (tests/fuzz/corpus/<target>/). New inputs found go to a scratch corpus,
# never into the repository. A crash, leak or sanitizer report fails the script; the input that
# caused it is kept as build-fuzz/findings/<target>/crash-* (reproduce: build-fuzz/tests/fuzz/<target> FILE).
#   scripts/fuzz.sh [seconds per target, default 20] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_http fuzz_job_spec fuzz_yaml fuzz_object_key fuzz_auth fuzz_journal)
scripts/setup.sh
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DSKIFF_TESTS=OFF -DSKIFF_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"
# The targets write scratch files (journal segments, a folder store): on tmpfs when there is one,
# in a folder of this run that is removed at the end.
scratch_parent=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch_parent=/dev/shm
TMPDIR="$(mktemp -d "$scratch_parent/skiff-fuzz.XXXXXX")"
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  work="build-fuzz/corpus-run/$t"
  findings="build-fuzz/findings/$t"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  echo "fuzz: $t for ${seconds}s"
  # -timeout: one input taking over 10 s is a finding (a hang); -rss_limit_mb bounds memory.
  if ! build-fuzz/tests/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
      "$work" "tests/fuzz/corpus/$t" >"build-fuzz/$t.log" 2>&1; then
    tail -n 60 "build-fuzz/$t.log"
    failed+=("$t")
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$t.log" | tr '\n' ' '
    echo
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs under build-fuzz/findings/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no findings"
