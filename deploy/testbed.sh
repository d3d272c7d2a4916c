#!/usr/bin/env bash
# Starts, stops or shows the local multi-region testbed (vaultsim login
# service + vaults eastus/westus [US] and japaneast [JP]) for people.
#
#   deploy/testbed.sh start  [DIR]   # default DIR ./.testbed; prints what it started
#   deploy/testbed.sh stop   [DIR]   # idempotent
#   deploy/testbed.sh status [DIR]   # exit 0 when every process runs
#   deploy/testbed.sh kill  VAULT [DIR]  # SIGKILL one vault: its region is down
#   deploy/testbed.sh start-vault VAULT [DIR]  # restart it on the same ports and data
#
# The vaultsim binary is $VAULTSIM, else build/default/vaultsim/vaultsim
# (build it with scripts/build.sh default). Optional: BASE_PORT=P uses ports
# P..P+7 instead of free ones. Details: vaultsim/README.md, "vaultsim testbed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vaultsim=${VAULTSIM:-$root/build/default/vaultsim/vaultsim}
action=${1:-}
if [[ $action == kill || $action == start-vault ]]; then
  vault=${2:-}
  dir=${3:-./.testbed}
else
  dir=${2:-./.testbed}
fi

if [[ ! -x $vaultsim ]]; then
  echo "testbed.sh: no vaultsim binary at $vaultsim; run scripts/build.sh default or set VAULTSIM" >&2
  exit 2
fi

case $action in
  start)
    args=(testbed up --dir "$dir")
    [[ -n ${BASE_PORT:-} ]] && args+=(--base-port "$BASE_PORT")
    "$vaultsim" "${args[@]}"
    echo
    echo "Try: geoekm config check $dir/geoekm.ini"
    ;;
  stop) exec "$vaultsim" testbed down --dir "$dir" ;;
  status) exec "$vaultsim" testbed status --dir "$dir" ;;
  kill) exec "$vaultsim" testbed kill --dir "$dir" --vault "$vault" ;;
  start-vault) exec "$vaultsim" testbed start --dir "$dir" --vault "$vault" ;;
  *)
    echo "usage: $0 start|stop|status [DIR] | kill|start-vault VAULT [DIR]   (default DIR ./.testbed)" >&2
    exit 2
    ;;
esac
