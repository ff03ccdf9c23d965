#!/usr/bin/env bash
# Builds the VS Code extension's two packages, from anywhere in the repository:
#   bash editors/vscode/package.sh [OUT_DIR]
#   OUT_DIR/ris-lsp.vsix            generic: finds ris-lsp by setting or on PATH
#   OUT_DIR/ris-lsp-linux-x64.vsix  platform package: carries the release server binary
# OUT_DIR defaults to editors/vscode. Builds the server with `cargo build --release`
# unless RIS_LSP_RELEASE_BIN names a release binary already built. Needs cargo and npm.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

bin=${RIS_LSP_RELEASE_BIN:-}
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --locked --quiet)
  bin=$root/target/release/ris-lsp
fi
[ -x "$bin" ] || { echo "package.sh: no server binary at $bin" >&2; exit 1; }
bin=$(realpath "$bin")

cd "$here"
# `npm ci` only when package-lock.json changed since the last install.
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.package-lock.sha256 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" >node_modules/.package-lock.sha256
fi

# The generic package must not pick up a server/ left from a platform build.
rm -rf server
npx vsce package --no-dependencies --out "$out/ris-lsp.vsix"

mkdir server
trap 'rm -rf "$here/server"' EXIT
cp "$bin" server/ris-lsp
strip server/ris-lsp 2>/dev/null || true
chmod 755 server/ris-lsp
npx vsce package --no-dependencies --target linux-x64 --out "$out/ris-lsp-linux-x64.vsix"

for f in "$out/ris-lsp.vsix" "$out/ris-lsp-linux-x64.vsix"; do
  echo "vsix: $f, $(stat -c %s "$f") bytes"
done
