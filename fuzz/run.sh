#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) on the stable toolchain
# (RUSTC_BOOTSTRAP=1 lets it take the flags cargo-fuzz passes), its corpus
# seeded from the repository's fixtures and examples. Findings land in
# fuzz/artifacts/TARGET/; keep each one as a fixture in tests/fixtures.
#   cargo install cargo-fuzz
#   fuzz/run.sh 300            # every target, five minutes each
#   fuzz/run.sh 60 fix_all     # one target
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(parse document fix_all fmt)
fi
export RUSTC_BOOTSTRAP=1
failed=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  cp -n ../tests/fixtures/*.ris ../examples/*.ris "corpus/$target/" 2>/dev/null || true
  echo "== $target for ${seconds}s"
  if ! cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "findings in: ${failed[*]} (see fuzz/artifacts/)"
  exit 1
fi
