#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every
# test (unit, integration against vaultsim, the JS SDK compatibility test),
# then the router tests again under ThreadSanitizer (scripts/tsan-router.sh)
# and the EKM library tests under ASan/UBSan (scripts/asan-ekm.sh), whose
# builds run alongside the default suite.
# Prints CTest's summaries; exits non-zero on any failure or TSan report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/scripts/build.sh" default
cd "$root"
jobs=$(nproc)
status=0
# The sanitizer trees are built at a low CPU priority while the default
# suite runs: the suite spends about half its time waiting on vaultsim
# processes and sockets, and the compilers take that time rather than the
# tests' (on 2 cores the whole command ends a few minutes sooner). If this
# build fails, the sanitizer runs below build again and show why.
ahead_log="$root/build/sanitizer-trees.log"
(nice -n 10 "$root/scripts/tsan-router.sh" --build-only && nice -n 10 "$root/scripts/asan-ekm.sh" --build-only) \
  >"$ahead_log" 2>&1 &
ahead=$!
ctest --preset default -j "$jobs" --timeout 600 "$@" || status=$?
if ! wait "$ahead"; then
  echo "building the sanitizer trees alongside the tests failed (end of $ahead_log):" >&2
  tail -n 30 "$ahead_log" >&2
fi
"$root/scripts/tsan-router.sh" || status=$?
"$root/scripts/asan-ekm.sh" || status=$?
exit "$status"
