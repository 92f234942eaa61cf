#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, and every test of every crate
# (the corpus tests read ../shared/corpus when it is there and skip otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh tshark tcpdump nftables iptables
# DuckDB reads the Parquet reports back in the tests (they skip without it).
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install -q duckdb \
  || echo "duckdb not installed: the Parquet read-back test will skip" >&2
# Headless Chromium renders the HTML report in its tests (they skip without it).
command -v chromium >/dev/null 2>&1 || scripts/deps.sh chromium \
  || echo "chromium not installed: the HTML rendering tests will skip" >&2
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -q -- -D warnings
cargo test --workspace --all-features
