#!/usr/bin/env bash
# Configures and builds skiff in build/ (Release). Extra arguments go to the cmake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B "${BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "${BUILD_DIR:-build}" -j"$(nproc)"
