#!/usr/bin/env bash
# Configures and builds skiff in build/ (Release). Extra arguments go to the cmake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
# ccache, when the machine has it, makes rebuilds in several folders cheap; CI does without.
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "${BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "${launcher[@]}" "$@" \
  >/dev/null
cmake --build "${BUILD_DIR:-build}" -j"$(nproc)"
