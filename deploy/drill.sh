#!/usr/bin/env bash
# DR drill on the local multi-region testbed (what scripts/dr-drill.sh runs
# after building): starts the testbed (a login service and three vaultsim
# vaults: eastus and westus in geography US, japaneast in JP, all holding the
# TDE key), runs `geoekm drill` against it THROUGH THE PROVIDER LIBRARY
# libgeoekm-ekm.so, as SQL Server calls it — encrypt DEKs, kill the primary
# region, decrypt them all through the others, restart it, watch geoekm fail
# back — prints the report, and stops the testbed.
#
#   deploy/drill.sh [--deks N] [--keep]   (--keep leaves the testbed running)
#
# Binaries: $VAULTSIM / $GEOEKM / $GEOEKM_EKM_LIBRARY, else build/default.
# Testbed dir: $GEOEKM_TESTBED_DIR, else ./.testbed-drill.
#
# One function per step; main runs them in order and stops at the first that
# fails (its exit status is the script's). A new step is a function added to
# `steps`.
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

steps=(check_binaries start_testbed config_check failover_drill)

parse_args "$@"
for step in "${steps[@]}"; do
  "$step"
done
