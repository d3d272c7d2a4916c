#!/usr/bin/env bash
# DR drill on the local multi-region testbed (what scripts/dr-drill.sh runs
# after building): starts the testbed (a login service and three vaultsim
# vaults: eastus and westus in geography US, japaneast in JP, all holding the
# TDE key), runs `geoekm drill` against it THROUGH THE PROVIDER LIBRARY
# libgeoekm-ekm.so, as SQL Server calls it — encrypt DEKs, kill the primary
# region, decrypt them all through the others, restart it, watch geoekm fail
# back — prints the report; then checks the vaults as a geo-replication link
# would need them (geoekm check), rotates the key in every vault (geoekm
# rotate: escrow first, secondaries first, primary last), proves every key
# version in the history still unwraps everywhere (geoekm verify-history),
# checks the vaults again, prints a summary of every step and stops the
# testbed. Exit status 0 only when every step passed.
#
#   deploy/drill.sh [--deks N] [--keep]   (--keep leaves the testbed running)
#
# Binaries: $VAULTSIM / $GEOEKM / $GEOEKM_EKM_LIBRARY, else build/default.
# Testbed dir: $GEOEKM_TESTBED_DIR, else ./.testbed-drill.
#
# One function per step. The set-up steps (`setup`) stop the script at the
# first failure; the drill steps (`steps`) all run, each is reported PASS or
# FAIL in the summary, and any failure makes the exit status 1. A new step is
# a function added to one of the lists.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vaultsim=${VAULTSIM:-$root/build/default/vaultsim/vaultsim}
geoekm=${GEOEKM:-$root/build/default/provider/cli/geoekm}
library=${GEOEKM_EKM_LIBRARY:-$root/build/default/provider/ekm/libgeoekm-ekm.so}
dir=${GEOEKM_TESTBED_DIR:-$root/.testbed-drill}
deks=40
keep=0

parse_args() {
  while (($#)); do
    case $1 in
      --deks) deks=$2; shift 2 ;;
      --keep) keep=1; shift ;;
      *) echo "usage: $0 [--deks N] [--keep]" >&2; exit 2 ;;
    esac
  done
}

check_binaries() {
  for b in "$vaultsim" "$geoekm" "$library"; do
    [[ -e $b ]] || { echo "drill.sh: $b not built; run scripts/build.sh default" >&2; exit 2; }
  done
}

start_testbed() {
  "$vaultsim" testbed down --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
  echo "== starting the local multi-region testbed in $dir"
  "$vaultsim" testbed up --dir "$dir"
  if ((keep == 0)); then
    trap '"$vaultsim" testbed down --dir "$dir" >/dev/null 2>&1 || true' EXIT
  fi
}

config_check() {
  echo
  echo "== geoekm config check $dir/geoekm.ini"
  "$geoekm" config check "$dir/geoekm.ini"
}

failover_drill() {
  echo
  echo "== geoekm drill through $library: primary eastus will be killed (SIGKILL) and restarted"
  "$geoekm" drill --config "$dir/geoekm.ini" --library "$library" --deks "$deks" --primary eastus \
    --outage-command "'$vaultsim' testbed kill --dir '$dir' --vault eastus" \
    --recover-command "'$vaultsim' testbed start --dir '$dir' --vault eastus"
}

geo_link_check() {
  echo
  echo "== geoekm check: may a geo-replication link be made between these vaults?"
  "$geoekm" check --config "$dir/geoekm.ini"
}

rotate_key() {
  echo
  echo "== geoekm rotate: a new key version, escrowed first, imported into every vault (secondaries first)"
  # The escrow's passphrase: random, private, beside the testbed (yours lives offline).
  (umask 077 && head -c 32 /dev/urandom | base64 >"$dir/escrow.pass")
  "$geoekm" rotate --config "$dir/geoekm.ini" --escrow-out "$dir/tde-protector.rotated.escrow.pem" \
    --passphrase-file "$dir/escrow.pass" --apply
}

verify_history() {
  echo
  echo "== geoekm verify-history: can every historic backup still be restored in every vault?"
  "$geoekm" verify-history --config "$dir/geoekm.ini"
}

geo_link_check_after_rotation() {
  echo
  echo "== geoekm check after the rotation"
  "$geoekm" check --config "$dir/geoekm.ini"
}

setup=(check_binaries start_testbed config_check)
steps=(geo_link_check failover_drill rotate_key verify_history geo_link_check_after_rotation)

parse_args "$@"
for step in "${setup[@]}"; do
  "$step"
done
summary=()
failed=0
for step in "${steps[@]}"; do
  if "$step"; then
    summary+=("PASS  $step")
  else
    summary+=("FAIL  $step (exit status $?)")
    failed=1
  fi
done
echo
echo "=== DR drill summary ==="
printf '  %s\n' "${summary[@]}"
if ((failed)); then
  echo "verdict: FAIL"
  exit 1
fi
echo "verdict: PASS"
