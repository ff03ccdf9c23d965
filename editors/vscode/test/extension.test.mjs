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
const seen = { errors: /** @type {string[]} */ ([]), commands: /** @type {string[]} */ ([]), channels: /** @type {string[]} */ ([]) };
/** @type {Record<string, string>} */
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
  assert.deepEqual(seen.commands, ['ris.restartServer']);
  assert.deepEqual(seen.channels, ['RIS Language Server']);
  assert.equal(ctx.subscriptions.length, 2);
  assert.equal(seen.errors.length, 1);
});

test('the ris.server.path setting wins', () => {
  const configured = executable(path.join(binDir, 'custom-ris-lsp'));
  settings['ris.server.path'] = configured;
  process.env.PATH = binDir;
  assert.equal(extension.findServer(context(true)), configured);
});

test('a ris.server.path that is not executable is an error naming the setting', () => {
  settings['ris.server.path'] = path.join(binDir, 'missing');
  assert.equal(extension.findServer(context(true)), undefined);
  assert.match(seen.errors[0], /"ris\.server\.path" is set to .*missing/);
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
  assert.match(seen.errors[0], /ris\.server\.path/);
});
