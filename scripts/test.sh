#!/usr/bin/env bash
# Sets up (Debian packages), builds and runs the whole test suite with ctest.
#   SKIFF_SANITIZE=1  build with ASan + UBSan in build-asan/ and run the suite there
#   extra arguments   go to ctest (e.g. -L unit, -R Crash)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# s3rver (npm, pinned) for the S3 store and platform tests, installed once into .test-deps/.
if [ ! -x .test-deps/node_modules/.bin/s3rver ]; then
  if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  npm install --prefix .test-deps --no-audit --no-fund --loglevel=error s3rver@3.7.1
fi
if [ "${SKIFF_SANITIZE:-0}" = 1 ]; then
  export BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  scripts/build.sh -DSKIFF_TESTS=ON -DSKIFF_SANITIZE=ON
else
  export BUILD_DIR=build
  scripts/build.sh -DSKIFF_TESTS=ON
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
