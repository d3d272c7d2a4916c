#!/usr/bin/env bash
# Configures and builds one CMake preset (default: "default").
# Usage: scripts/build.sh [preset] [extra cmake --build args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-default}
shift || true
cd "$root"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"
