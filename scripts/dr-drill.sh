#!/usr/bin/env bash
# The README's main-job command: installs what is needed, builds, starts the
# local multi-region testbed and runs geoekm's DR drill against it, then
# prints the drill report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/scripts/build.sh" default
exec "$root/deploy/drill.sh" "$@"
