#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every
# test (unit, integration against vaultsim, the JS SDK compatibility test).
# Prints CTest's summary; exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/scripts/build.sh" default
cd "$root"
jobs=$(nproc)
ctest --preset default -j "$jobs" --timeout 600 "$@"
