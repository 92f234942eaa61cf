#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every test of every crate
# (the corpus tests read ../shared/corpus when it is there and skip otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh tshark tcpdump
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -q -- -D warnings
cargo test --workspace --all-features
