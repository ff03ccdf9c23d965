// Loads src/extension.ts (bundled on the fly with esbuild) against a stub `vscode` module
// and checks activation and where the server binary is looked for.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const extensionDir = fileURLToPath(new URL('..', import.meta.url));

/** What the extension did through the stub. */
const seen = {
  errors: /** @type {string[]} */ ([]),
  commands: /** @type {string[]} */ ([]),
  channels: /** @type {string[]} */ ([]),
  configListeners: /** @type {((e: any) => void)[]} */ ([]),
};
/** @type {Record<string, unknown>} */
let settings = {};

const stub = {
  window: {
    createOutputChannel: (/** @type {string} */ name) => {
      seen.channels.push(name);
      return { appendLine() {}, dispose() {} };
    },
    showErrorMessage: (/** @type {string} */ message) => {
      seen.errors.push(message);
      return Promise.resolve(undefined);
    },
  },
  workspace: {
    onDidChangeConfiguration: (/** @type {(e: any) => void} */ listener) => {
      seen.configListeners.push(listener);
      return { dispose() {} };
    },
    getConfiguration: (/** @type {string} */ section) => ({
      get: (/** @type {string} */ key, /** @type {unknown} */ fallback) => settings[`${section}.${key}`] ?? fallback,
    }),
  },
  commands: {
    registerCommand: (/** @type {string} */ id) => {
      seen.commands.push(id);
      return { dispose() {} };
    },
    executeCommand: async () => undefined,
  },
};
// vscode-languageclient subclasses vscode classes when it loads: give it empty ones.
const vscode = new Proxy(stub, { get: (target, key) => (key in target ? target[/** @type {keyof stub} */ (key)] : class {}) });

const { outputFiles } = esbuild.buildSync({
  entryPoints: [path.join(extensionDir, 'src/extension.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['vscode'],
  write: false,
});
const loaded = { exports: /** @type {any} */ ({}) };
new Function('require', 'module', 'exports', outputFiles[0].text)(
  (/** @type {string} */ id) => (id === 'vscode' ? vscode : require(id)),
  loaded,
  loaded.exports,
);
const extension = loaded.exports;

/** Temporary folders, removed at the end. */
const temporary = /** @type {string[]} */ ([]);
function tempDir(/** @type {string} */ prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}
after(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fake extension install folder, optionally with a bundled server/ris-lsp. */
function context(/** @type {boolean} */ bundled) {
  const dir = tempDir('ris-ext-');
  if (bundled) {
    mkdirSync(path.join(dir, 'server'));
    executable(path.join(dir, 'server', 'ris-lsp'));
  }
  return { subscriptions: [], asAbsolutePath: (/** @type {string} */ rel) => path.join(dir, rel) };
}

function executable(/** @type {string} */ file) {
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

const binDir = tempDir('ris-bin-');
const onPath = executable(path.join(binDir, 'ris-lsp'));
const originalPath = process.env.PATH;

beforeEach(() => {
  settings = {};
  seen.errors.length = 0;
  process.env.PATH = originalPath;
});

test('activation without a server registers the restart command and the output channel', async () => {
  process.env.PATH = '';
  const ctx = context(false);
  await extension.activate(ctx);
  assert.deepEqual(seen.commands, ['ris-lsp.restartServer']);
  assert.deepEqual(seen.channels, ['RIS Language Server']);
  assert.equal(ctx.subscriptions.length, 3, 'channel, command, settings listener');
  assert.equal(seen.errors.length, 1);
});

test('the ris-lsp.server.path setting wins', () => {
  const configured = executable(path.join(binDir, 'custom-ris-lsp'));
  settings['ris-lsp.server.path'] = configured;
  process.env.PATH = binDir;
  assert.equal(extension.findServer(context(true)), configured);
});

test('a ris-lsp.server.path that is not executable is an error naming the setting', () => {
  settings['ris-lsp.server.path'] = path.join(binDir, 'missing');
  assert.equal(extension.findServer(context(true)), undefined);
  assert.match(seen.errors[0], /"ris-lsp\.server\.path" is set to .*missing/);
});

test('then the binary bundled in the extension', () => {
  process.env.PATH = binDir;
  const ctx = context(true);
  assert.equal(extension.findServer(ctx), ctx.asAbsolutePath('server/ris-lsp'));
});

test('then ris-lsp on PATH', () => {
  process.env.PATH = ['/nonexistent', binDir].join(path.delimiter);
  assert.equal(extension.findServer(context(false)), onPath);
});

test('no server anywhere: an error that names both fixes', () => {
  process.env.PATH = '/nonexistent';
  assert.equal(extension.findServer(context(false)), undefined);
  assert.equal(seen.errors.length, 1);
  assert.match(seen.errors[0], /cargo install --path \./);
  assert.match(seen.errors[0], /platform package/);
  assert.match(seen.errors[0], /ris-lsp\.server\.path/);
});

test('the server gets the ris-lsp.toml keys and nothing else', () => {
  settings['ris-lsp.severity'] = { RIS061: 'off' };
  settings['ris-lsp.extra-tags'] = ['NL'];
  settings['ris-lsp.required'] = { JOUR: ['AU'] };
  settings['ris-lsp.inlay-hints'] = false;
  settings['ris-lsp.server.path'] = '/somewhere/ris-lsp';
  assert.deepEqual(extension.serverSettings(), {
    severity: { RIS061: 'off' },
    'extra-tags': ['NL'],
    required: { JOUR: ['AU'] },
    'inlay-hints': false,
  });
});

test('package.json contributes every setting the server reads, and a severity for every code', async () => {
  const { readFileSync } = await import('node:fs');
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  for (const key of ['severity', 'extra-tags', 'extra-types', 'required', 'inlay-hints', 'server.path', 'trace.server']) {
    assert.ok(properties[`ris-lsp.${key}`], `ris-lsp.${key}`);
  }
  const codes = readFileSync(path.join(extensionDir, '../../src/checks/codes.rs'), 'utf8').match(/"RIS\d{3}"/g) ?? [];
  assert.ok(codes.length > 20);
  assert.deepEqual(Object.keys(properties['ris-lsp.severity'].properties), codes.map((c) => c.slice(1, -1)));
});

test('changing ris-lsp.server.path restarts (looks for the server again); other settings do not', async () => {
  process.env.PATH = '';
  seen.configListeners.length = 0;
  await extension.activate(context(false));
  assert.equal(seen.errors.length, 1);
  const [listener] = seen.configListeners;
  const changed = (/** @type {string} */ key) => ({ affectsConfiguration: (/** @type {string} */ s) => key === s || key.startsWith(`${s}.`) });
  listener(changed('ris-lsp.severity'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(seen.errors.length, 1, 'no restart for a server setting');
  settings['ris-lsp.server.path'] = path.join(binDir, 'missing');
  listener(changed('ris-lsp.server.path'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(seen.errors.length, 2);
  assert.match(seen.errors[1], /"ris-lsp\.server\.path" is set to/);
});
