#!/usr/bin/env bash
# ThreadSanitizer run of the router tests, the state writer thread and the
# EKM library's concurrency test: builds only router_unit_test,
# router_integration_test (with vaultsim, which the integration tests start as
# real processes), state_writer_test, state_recorder_test and ekm_library_test
# of the `tsan` preset into build/tsan, runs every test labelled `router` or
# `state-writer` and the EKM library's 32-thread concurrency test, and fails
# on a failed test or on any TSan report — in a
# test process (TSan exits 66; halt_on_error stops at the first report) or in
# a vaultsim process it started (reports are written to files, checked here).
# Called by scripts/test.sh after the default test run.
# Usage: scripts/tsan-router.sh [--build-only] [extra ctest args...]
#   --build-only: build what the run needs and stop (scripts/test.sh builds
#   ahead while the default suite runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# gcc 12's TSan runtime cannot map its shadow memory when the kernel
# randomises mmap with more than 28 bits ("FATAL: ThreadSanitizer: unexpected
# memory mapping", google/sanitizers#1716); without ASLR it always can. The
# personality is inherited by every process started below (gtest discovery
# at build time, the tests, vaultsim).
rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
if [ "$rnd_bits" -gt 28 ] && [ -z "${GEOEKM_TSAN_NO_ASLR:-}" ]; then
  export GEOEKM_TSAN_NO_ASLR=1
  exec setarch "$(uname -m)" -R "$0" "$@"
fi

build_only=
if [ "${1:-}" = "--build-only" ]; then
  build_only=1
  shift
fi

"$root/scripts/build.sh" tsan --target router_unit_test router_integration_test state_writer_test \
  state_recorder_test ekm_library_test -j "$(nproc)"
[ -z "$build_only" ] || exit 0

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$reports/tsan suppressions=$root/scripts/tsan.supp"
cd "$root"
status=0
ctest --preset tsan -L '^(router|state-writer)$' -j "$(nproc)" --timeout 600 "$@" || status=$?
# The EKM library's concurrency test (32 engine threads x 1000 calls on one
# runtime) rides along.
ctest --preset tsan -R '^EkmLibrary\.ThirtyTwoThreadsTimesAThousandCalls$' --timeout 600 "$@" || status=$?
if compgen -G "$reports/tsan.*" >/dev/null; then
  echo "ThreadSanitizer reports (router, state writer and EKM tests, tsan preset):" >&2
  for f in "$reports"/tsan.*; do
    echo "---- $(basename "$f")" >&2
    cat "$f" >&2
  done
  status=1
fi
exit "$status"
