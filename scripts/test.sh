#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every
# test (unit, integration against vaultsim, the JS SDK compatibility test),
# then the router tests again under ThreadSanitizer (scripts/tsan-router.sh)
# and the EKM library tests under ASan/UBSan (scripts/asan-ekm.sh).
# Prints CTest's summaries; exits non-zero on any failure or TSan report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/scripts/build.sh" default
cd "$root"
jobs=$(nproc)
status=0
ctest --preset default -j "$jobs" --timeout 600 "$@" || status=$?
"$root/scripts/tsan-router.sh" || status=$?
"$root/scripts/asan-ekm.sh" || status=$?
exit "$status"
