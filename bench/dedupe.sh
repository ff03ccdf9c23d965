#!/usr/bin/env bash
# Duplicate detection: precision, recall and time on labelled sets, then the
# scale run on a generated workspace (time and peak memory).
#
#   bench/dedupe.sh [SETS_FOLDER] [SCALE_RECORDS]
#
# SETS_FOLDER holds one folder per set with records.ris and
# truth_clusters.csv (default ../shared/dedupe); SCALE_RECORDS defaults to
# 1000000, written as 10 files under a scratch folder that is removed after.
set -euo pipefail
cd "$(dirname "$0")/.."
sets=${1:-../shared/dedupe}
records=${2:-1000000}
cargo build --release --locked --bin ris-lsp --example dedupe_bench --example dedupe_gen
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target/release/ris-lsp"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
if [ -d "$sets" ]; then
    "$target/release/examples/dedupe_bench" "$sets" --bin "$bin"
else
    echo "no labelled sets at $sets; skipped"
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$target/release/examples/dedupe_gen" "$records" 10 "$scratch/ws"
if command -v /usr/bin/time >/dev/null; then
    /usr/bin/time -f "dedupe: %e s wall, %M KiB peak" "$bin" dedupe --format json "$scratch/ws" >"$scratch/out.json" || true
else
    start=$(date +%s.%N)
    "$bin" dedupe --format json "$scratch/ws" >"$scratch/out.json" || true
    echo "dedupe: $(echo "$(date +%s.%N) - $start" | bc) s wall"
fi
"$target/release/examples/dedupe_gen" --score "$scratch/out.json"
