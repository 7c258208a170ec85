#!/usr/bin/env bash
# Builds the coordinator and store unit tests with ThreadSanitizer in build-tsan/ and runs them
# (they are the multi-threaded core: group commit, leases, checkpoints, conditional puts across
# threads). A data race or lock-order inversion fails the script.
#   scripts/tsan.sh [extra gtest arguments, e.g. --gtest_filter=Journal*]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSKIFF_TSAN=ON -DSKIFF_TESTS=ON >/dev/null
cmake --build build-tsan -j"$(nproc)" --target coord_test store_test
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
for t in coord_test store_test; do
  echo "tsan: $t"
  build-tsan/"$t" --gtest_brief=1 "$@"
done
echo "tsan: no reports"
