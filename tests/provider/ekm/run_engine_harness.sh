#!/bin/sh
# Runs the engine harness (engine_harness.c) against a fresh vaultsim
# testbed: brings the testbed up in a temp dir, points GEOEKM_CONFIG at its
# geoekm.ini, gives the harness the testbed's rotation tool and the command
# that kills the primary region (eastus), and takes everything down after.
# usage: run_engine_harness.sh VAULTSIM HARNESS LIBRARY ROTATE_KEY
set -eu
vaultsim=$1 harness=$2 library=$3 rotate_key=$4
dir=$(mktemp -d "${TMPDIR:-/tmp}/geoekm-harness-XXXXXX")
cleanup() {
  "$vaultsim" testbed down --dir "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
if ! "$vaultsim" testbed up --dir "$dir" >"$dir/up.log" 2>&1; then
  cat "$dir/up.log"
  exit 1
fi
config=$dir/geoekm.ini
set_name=$(sed -n 's/^set_name *= *\([^ ;#]*\).*/\1/p' "$config")
key_name=$(sed -n 's/^key_names *= *\([^ ,;#]*\).*/\1/p' "$config")
GEOEKM_CONFIG=$config "$harness" "$library" "$set_name" "$key_name" \
  "$rotate_key $config $key_name" "$vaultsim testbed kill --dir $dir --vault eastus"
