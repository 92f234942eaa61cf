#!/usr/bin/env bash
# Builds portmatrix and runs it on the bundled demo capture with the built-in rules.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cargo build --release -q -p portmatrix
exec target/release/portmatrix check fixtures/demo/room.pcapng "$@"
