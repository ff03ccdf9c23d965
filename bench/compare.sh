#!/usr/bin/env bash
# Compares `ris-lsp check` with other RIS readers on one big generated file:
# rispy 0.10 (PyPI), @citation-js/plugin-ris 0.8 (npm) and biblib 0.10
# (crates.io), each parsing only. See bench/README.md.
#
#   bash bench/compare.sh                      # 100,000 clean records, 3 runs each
#   bash bench/compare.sh --records 10000 --defects 0.01 --runs 5
#   bash bench/compare.sh --file big.ris       # an existing file instead
#
# Everything it installs goes to ${TMPDIR:-/tmp}/ris-lsp-compare (kept between
# runs; delete it to start afresh). Needs cargo, python3 (with venv), node and
# npm, and GNU time (/usr/bin/time; installed with apt-get when missing).
set -euo pipefail

records=100000
defects=0
runs=3
given=
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --defects) defects=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --file) given=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${TMPDIR:-/tmp}/ris-lsp-compare
mkdir -p "$scratch"
log=$scratch/install.log
: >"$log"

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# --- tools ---------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  say "installing GNU time (apt-get)"
  { apt-get update && apt-get install -y time; } >>"$log" 2>&1 || die "need GNU time at /usr/bin/time (apt-get install time); see $log"
fi
command -v cargo >/dev/null || die "need cargo"
command -v python3 >/dev/null || die "need python3"
command -v node >/dev/null && command -v npm >/dev/null || die "need node and npm (node 20.19 or later for @citation-js 0.8)"

# --- ris-lsp and the file --------------------------------------------------------
say "building ris-lsp, gen_ris and time_check (release)"
(cd "$repo" && cargo build --release --quiet --bin ris-lsp --example gen_ris --example time_check)
target=$(cd "$repo" && cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
ris_lsp=$target/release/ris-lsp
time_check=$target/release/examples/time_check

if [ -n "$given" ]; then
  [ -f "$given" ] || die "no such file: $given"
  file=$(realpath "$given")
  records=$(grep -c '^TY  - ' "$file" || true)
  defects="of $(basename "$file")"
else
  file=$scratch/generated-$records-$defects.ris
  say "generating $records records (defects $defects) into $file"
  "$target/release/examples/gen_ris" "$records" --defects "$defects" >"$file"
fi
bytes=$(wc -c <"$file")

# --- peers -----------------------------------------------------------------------
if [ ! -x "$scratch/venv/bin/python" ] || ! "$scratch/venv/bin/python" -c 'import rispy' 2>/dev/null; then
  say "installing rispy 0.10 into $scratch/venv"
  if ! python3 -m venv "$scratch/venv" >>"$log" 2>&1; then
    { apt-get update && apt-get install -y python3-venv; } >>"$log" 2>&1 || die "python3 -m venv failed; see $log"
    python3 -m venv "$scratch/venv" >>"$log" 2>&1
  fi
  "$scratch/venv/bin/pip" install --quiet 'rispy==0.10.*' >>"$log" 2>&1 || die "pip install rispy failed; see $log"
fi

if [ ! -f "$scratch/node/node_modules/@citation-js/plugin-ris/package.json" ]; then
  say "installing @citation-js/plugin-ris 0.8 into $scratch/node"
  mkdir -p "$scratch/node"
  (cd "$scratch/node" && { [ -f package.json ] || echo '{"private":true}' >package.json; } \
    && npm install --no-audit --no-fund @citation-js/plugin-ris@0.8 @citation-js/core@0.8) >>"$log" 2>&1 \
    || die "npm install failed; see $log"
fi

biblib=$scratch/biblib-parse
if [ ! -x "$biblib/target/release/biblib-parse" ]; then
  say "building a biblib 0.10 timer in $biblib"
  mkdir -p "$biblib/src"
  cat >"$biblib/Cargo.toml" <<'EOF'
[package]
name = "biblib-parse"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
biblib = { version = "0.10", default-features = false, features = ["ris"] }

[profile.release]
codegen-units = 1

[workspace]
EOF
  cat >"$biblib/src/main.rs" <<'EOF'
//! Prints "SECONDS RECORDS" for one `RisParser::parse` of the file named.
use biblib::{CitationParser, RisParser};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: biblib-parse FILE");
    let text = std::fs::read_to_string(&path).expect("read the file");
    let started = Instant::now();
    let parsed = RisParser::new().parse(&text);
    let elapsed = started.elapsed().as_secs_f64();
    match parsed {
        Ok(citations) => println!("{elapsed:.6} {}", citations.len()),
        Err(error) => {
            println!("{elapsed:.6} error");
            eprintln!("biblib: {error}");
            std::process::exit(1);
        }
    }
}
EOF
  (cd "$biblib" && env -u CARGO_TARGET_DIR cargo build --release --quiet) >>"$log" 2>&1 \
    || die "building the biblib timer failed; see $log"
fi

cat >"$scratch/rispy_parse.py" <<'EOF'
"""Prints "SECONDS RECORDS" for one rispy.loads of the file named (read first)."""
import sys
import time

import rispy

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
started = time.perf_counter()
entries = rispy.loads(text)
print(f"{time.perf_counter() - started:.6f} {len(entries)}")
EOF

cat >"$scratch/citation_parse.js" <<'EOF'
// Prints "SECONDS RECORDS" for one plugin-ris parse() of the file named (read first).
const fs = require('fs')
const { parse } = require('@citation-js/plugin-ris/lib/ris.js')

const text = fs.readFileSync(process.argv[2], 'utf8')
const started = process.hrtime.bigint()
const entries = parse(text)
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(`${seconds.toFixed(6)} ${entries.length}`)
EOF

# --- runs ------------------------------------------------------------------------
results=$scratch/results.tsv
: >"$results"
# run NAME WORK TIMED COMMAND…: RUNS runs, each a fresh process under GNU time.
# TIMED=yes when the command prints "SECONDS COUNT" for its own call.
run() {
  local name=$1 work=$2 timed=$3
  shift 3
  local i out rc call count wall peak start end
  for i in $(seq "$runs"); do
    say "$name: run $i of $runs"
    out=$scratch/out.txt
    rc=0
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$scratch/time.txt" "$@" >"$out" 2>"$scratch/err.txt" || rc=$?
    end=$(date +%s%N)
    # GNU time's %e has 10 ms steps: time the process here instead.
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    peak=$(tail -n 1 "$scratch/time.txt")
    if [ "$timed" = yes ]; then
      read -r call count < <(head -n 1 "$out") || true
    else
      call=-
      count=-
    fi
    if [ "$timed" = yes ] && [ "$rc" -ne 0 ]; then
      count="failed($(head -c 120 "$scratch/err.txt" | tr '\n\t' '  '))"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$work" "${call:--}" "$wall" "$peak" "$rc" "${count:--}" >>"$results"
  done
}

export NODE_PATH=$scratch/node/node_modules
# `ris-lsp check` exits 1 when it finds errors: not a failure here.
run "ris-lsp check" "full check, CLI (read, decode, check, print)" no "$ris_lsp" check "$file"
run "ris-lsp checks::check" "full check, in process" yes "$time_check" check "$file"
run "ris-lsp syntax::parse" "parse, in process" yes "$time_check" parse "$file"
run "biblib 0.10" "RisParser::parse" yes "$biblib/target/release/biblib-parse" "$file"
run "rispy 0.10" "rispy.loads(text)" yes "$scratch/venv/bin/python" "$scratch/rispy_parse.py" "$file"
run "citation-js plugin-ris 0.8" "parse(text)" yes node "$scratch/citation_parse.js" "$file"

# --- table -----------------------------------------------------------------------
versions=$(
  "$scratch/venv/bin/python" -c 'import rispy; print("rispy", rispy.__version__)'
  node -p '"@citation-js/plugin-ris " + require(process.env.NODE_PATH + "/@citation-js/plugin-ris/package.json").version'
  grep -A1 '^name = "biblib"' "$biblib/Cargo.lock" | tail -n 1 | sed 's/version = /biblib /; s/"//g'
  echo "node $(node --version), $(python3 --version), $(rustc --version)"
)
python3 - "$results" "$bytes" "$records" "$defects" "$runs" "$versions" <<'EOF'
import statistics
import sys

path, size, records, defects, runs, versions = sys.argv[1:]
size = int(size)
rows = {}
for line in open(path, encoding="utf-8"):
    name, work, call, wall, peak, rc, count = line.rstrip("\n").split("\t")
    rows.setdefault((name, work), []).append((call, float(wall), int(peak), int(rc), count))


def best_median(values):
    return min(values), statistics.median(values)


print()
what = defects[3:] if defects.startswith("of ") else f"generated, defects {defects}"
print(f"## {what}: {records} records, {size / 1e6:.1f} MB, {runs} runs each (fresh process per run)")
print()
print(versions)
print(f"load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])} (2 cores)")
print()
print("call = the parse (or check) call alone, timed inside the process after reading the file;")
print("wall = the whole process (start-up, reading, parsing, exit); peak = max RSS (GNU time %M).")
print("ratio = this tool's time / ris-lsp check's wall time (best vs best): below 1, the tool is faster.")
print()
header = ["tool", "work", "call best s", "call median s", "MB/s (call best)", "wall best s",
          "wall median s", "peak MB", "records/findings", "ratio call", "ratio wall"]
print("| " + " | ".join(header) + " |")
print("|---|---|" + "---:|" * (len(header) - 2))
ref = None
for (name, work), samples in rows.items():
    walls = [s[1] for s in samples]
    if name == "ris-lsp check":
        ref = min(walls)
for (name, work), samples in rows.items():
    ok = [s for s in samples if s[3] == 0 or s[0] == "-"]
    walls = [s[1] for s in samples]
    peak = max(s[2] for s in samples) / 1024
    count = samples[-1][4]
    wb, wm = best_median(walls)
    if samples[0][0] != "-" and ok:
        calls = [float(s[0]) for s in ok]
        cb, cm = best_median(calls)
        cells = [f"{cb:.3f}", f"{cm:.3f}", f"{size / 1e6 / cb:.0f}"]
        ratio_call = f"{cb / ref:.2f}" if ref else "-"
    else:
        cells = ["-", "-", f"{size / 1e6 / wb:.0f} (wall)"]
        ratio_call = "-"
    ratio_wall = f"{wb / ref:.2f}" if ref else "-"
    print("| " + " | ".join([name, work, *cells, f"{wb:.3f}", f"{wm:.3f}", f"{peak:.0f}", count,
                             ratio_call, ratio_wall]) + " |")
peers = [(min(float(s[0]) for s in samples if s[3] == 0), name)
         for (name, _), samples in rows.items()
         if not name.startswith("ris-lsp") and any(s[3] == 0 for s in samples)]
if peers and ref:
    fastest, who = min(peers)
    print()
    print(f"ris-lsp check (wall, best {ref:.3f} s) vs the fastest peer's parse call ({who}, best {fastest:.3f} s): "
          f"{ref / fastest:.2f}x the time")
EOF
