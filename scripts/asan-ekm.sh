#!/usr/bin/env bash
# AddressSanitizer + UBSan (with LeakSanitizer) run of the EKM library
# tests: builds only what the tests labelled `ekm` need — libgeoekm-ekm.so,
# its gtest, the C engine harness and its helpers, vaultsim, geoekm (the DR
# drill through the library, deploy/drill.sh) — with the
# `asan` preset into build/asan, runs them (the harness's whole TDE
# scenario and every bad call), and fails on a failed test or on any
# sanitizer report, in a test process or in a vaultsim process it started
# (reports go to files, checked here).
# Called by scripts/test.sh after the TSan stage.
# Usage: scripts/asan-ekm.sh [--build-only] [extra ctest args...]
#   --build-only: build what the run needs and stop (scripts/test.sh builds
#   ahead while the default suite runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

build_only=
if [ "${1:-}" = "--build-only" ]; then
  build_only=1
  shift
fi

"$root/scripts/build.sh" asan --target geoekm-ekm ekm_library_test sigpipe_guard_test engine_harness rotate_key partial_provider \
  vaultsim geoekm -j "$(nproc)"
[ -z "$build_only" ] || exit 0

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
# detect_leaks: LSan at exit; vaultsim processes killed with SIGKILL leave no report.
export ASAN_OPTIONS="detect_leaks=1 halt_on_error=1 log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 log_path=$reports/ubsan"
cd "$root"
status=0
ctest --preset asan -L ekm -j "$(nproc)" --timeout 600 "$@" || status=$?
if compgen -G "$reports/*san.*" >/dev/null; then
  echo "Sanitizer reports (ekm tests, asan preset):" >&2
  for f in "$reports"/*san.*; do
    echo "---- $(basename "$f")" >&2
    cat "$f" >&2
  done
  status=1
fi
exit "$status"
