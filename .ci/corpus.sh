#!/usr/bin/env bash
# Checks the real-world files in ../shared/corpus with the built binary:
# no crash on any file, and zero errors on files from well-behaved exporters
# (files that are deliberately malformed parser tests may have errors).
set -uo pipefail
bin=${RIS_LSP_BIN:-target/debug/ris-lsp}
corpus=${1:-../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "corpus: $corpus not found; skipped"
  exit 0
fi
json=$(mktemp)
"$bin" check --format json "$corpus" > "$json"
rc=$?
if [ "$rc" -gt 1 ]; then
  echo "corpus: ris-lsp check exited with $rc"
  exit 1
fi
python3 - "$json" <<'PY'
import collections, json, sys
findings = json.load(open(sys.argv[1]))
# Deliberately malformed files from parsers' own test suites.
malformed = {
    "tests_data_example_wos.ris",            # Web of Science text, not RIS
    "tests_data_example_utf_chars.ris",      # `TY  - Journal Article`
    "tests_demo_data_baseline_reference_types.ris",  # INTV, POD, PRESS, empty TY
}
counts = collections.Counter((f["code"], f["severity"]) for f in findings)
for (code, severity), n in sorted(counts.items()):
    print(f"corpus: {code} {severity}: {n}")
bad = [f for f in findings if f["severity"] == "error" and f["file"].rsplit("/", 1)[-1] not in malformed]
for f in bad:
    print(f"corpus: unexpected error {f['file']}:{f['start']['line']}: {f['code']} {f['message']}")
print(f"corpus: {len(findings)} findings, {len(bad)} unexpected errors")
sys.exit(1 if bad else 0)
PY
