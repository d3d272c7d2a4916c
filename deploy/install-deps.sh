#!/usr/bin/env bash
# Installs what geoekm needs to build and test, from Debian 12 packages only.
# Idempotent: calls apt-get only when something is missing.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config
          libpoco-dev libsqlite3-dev sqlite3 libssl-dev openssl
          libgtest-dev libgmock-dev googletest libbenchmark-dev
          nodejs npm ca-certificates procps)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node may come from NodeSource (which bundles npm); accept any working node+npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi
