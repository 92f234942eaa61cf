#!/usr/bin/env bash
# Installs the system packages portmatrix needs to build (libpcap for live
# capture) when they are missing. Needs root (or sudo) on Debian/Ubuntu.
set -euo pipefail
need=()
dpkg -s libpcap-dev >/dev/null 2>&1 || need+=(libpcap-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need+=(pkg-config)
for extra in "$@"; do
  dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "portmatrix: cargo not found; install a Rust toolchain (https://rustup.rs) first" >&2
  exit 2
fi
