#!/usr/bin/env bash
# DR drill on the local multi-region testbed (what scripts/dr-drill.sh runs
# after building): starts the testbed (a login service and three vaultsim
# vaults: eastus and westus in geography US, japaneast in JP, all holding the
# TDE key), runs `geoekm drill` against it — wrap DEKs, kill the primary
# region, unwrap them all through the others, restart it, watch geoekm fail
# back — prints the report, and stops the testbed.
#
#   deploy/drill.sh [--deks N] [--keep]   (--keep leaves the testbed running)
#
# Binaries: $VAULTSIM / $GEOEKM, else build/default. Testbed dir:
# $GEOEKM_TESTBED_DIR, else ./.testbed-drill.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vaultsim=${VAULTSIM:-$root/build/default/vaultsim/vaultsim}
geoekm=${GEOEKM:-$root/build/default/provider/cli/geoekm}
dir=${GEOEKM_TESTBED_DIR:-$root/.testbed-drill}
deks=40
keep=0
while (($#)); do
  case $1 in
    --deks) deks=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--deks N] [--keep]" >&2; exit 2 ;;
  esac
done
for b in "$vaultsim" "$geoekm"; do
  [[ -x $b ]] || { echo "drill.sh: $b not built; run scripts/build.sh default" >&2; exit 2; }
done

"$vaultsim" testbed down --dir "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
echo "== starting the local multi-region testbed in $dir"
"$vaultsim" testbed up --dir "$dir"
if ((keep == 0)); then
  trap '"$vaultsim" testbed down --dir "$dir" >/dev/null 2>&1 || true' EXIT
fi

echo
echo "== geoekm config check $dir/geoekm.ini"
"$geoekm" config check "$dir/geoekm.ini"

echo
echo "== geoekm drill: primary eastus will be killed (SIGKILL) and restarted"
"$geoekm" drill --config "$dir/geoekm.ini" --deks "$deks" --primary eastus \
  --outage-command "'$vaultsim' testbed kill --dir '$dir' --vault eastus" \
  --recover-command "'$vaultsim' testbed start --dir '$dir' --vault eastus"
