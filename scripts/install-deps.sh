#!/usr/bin/env bash
# Installs the Debian packages WeightPack builds against, when any is missing.
set -euo pipefail
packages=(libzstd-dev liblz4-dev libxxhash-dev liblapacke-dev libopenblas-dev zlib1g-dev pkg-config python3-venv zstd lz4)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
