#!/usr/bin/env bash
# Sets up (Debian packages), builds and starts skiff on this machine: `skiff up` with a local
# folder store in ./.skiff and in-process workers. Extra arguments go to `skiff up`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh -DSKIFF_TESTS=OFF
exec build/skiff up "$@"
