#!/usr/bin/env bash
# Runs the Azure SDK for JavaScript compatibility test against a fresh
# vaultsim testbed in a temp dir (torn down on exit). Used by CTest; by hand:
#   tests/js/run_js_test.sh build/default/vaultsim/vaultsim
# Installs the pinned packages with `npm ci` when node_modules is missing.
set -euo pipefail
vaultsim=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [[ ! -d node_modules/@azure/keyvault-keys || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # A stalled registry download once held npm for the test's whole 300 s
  # (npm's default fetch timeout is 5 minutes): give up on a fetch after 30 s
  # and retry it instead.
  npm ci --no-audit --no-fund --loglevel=error --fetch-timeout=30000 --fetch-retries=4 \
    --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/geoekm-js-testbed.XXXXXX")
cleanup() {
  "$vaultsim" testbed down --dir "$dir" >/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$vaultsim" testbed up --dir "$dir" >/dev/null
export GEOEKM_TESTBED_JSON=$dir/testbed.json
export NODE_EXTRA_CA_CERTS=$dir/pki/ca.pem
node --require ./resolve-vault-test.js --test keyvault_sdk.test.js
