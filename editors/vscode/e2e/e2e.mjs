// End-to-end test of the packaged extension in a real VS Code: code-server (VS Code in a
// browser) driven by headless Chromium through playwright-core. It installs the .vsix with
// `code-server --install-extension`, opens .ris files in a scratch workspace and checks what
// a person sees. Run by e2e/run.sh, which installs what it needs:
//   node e2e.mjs VSIX
// Environment: E2E_MODULES (node_modules with code-server and playwright-core), CHROMIUM
// (the browser binary), RIS_LSP_BIN (the server, for the expected results), E2E_SHOTS (where
// screenshots go; default a new folder under the system temp dir), E2E_TIMEOUT (seconds, the
// hard limit for the whole run), E2E_TRACE=1 (log the LSP traffic; printed on failure).
// Prints `ok …` / `FAIL …` per check and `N passed, M failed`; exits 1 on any failure.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const vsix = path.resolve(process.argv[2] ?? '');
const modules = process.env.E2E_MODULES ?? path.join(here, 'node_modules');
const chromiumPath = process.env.CHROMIUM ?? '/usr/lib/chromium/chromium';
const serverBin = process.env.RIS_LSP_BIN ?? path.join(root, 'target/debug/ris-lsp');
const hardTimeout = Number(process.env.E2E_TIMEOUT ?? 480) * 1000;
const { chromium } = createRequire(path.join(modules, 'noop.js'))('playwright-core');
const codeServer = path.join(modules, '.bin/code-server');

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ris-lsp-vscode-e2e-'));
const shots = process.env.E2E_SHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ris-lsp-vscode-shots-'));
fs.mkdirSync(shots, { recursive: true });
const dirs = Object.fromEntries(
  ['user', 'ext', 'config', 'data', 'tmp', 'ws'].map((name) => [name, path.join(scratch, name)]),
);
Object.values(dirs).forEach((dir) => fs.mkdirSync(dir, { recursive: true }));

let passed = 0;
let failed = 0;
/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
/** @type {any} */
let browser;

const log = (/** @type {string} */ line) => process.stdout.write(`${line}\n`);
const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills code-server's whole process group (it runs in its own session). */
function killServer() {
  if (server?.pid) {
    for (const signal of ['SIGTERM', 'SIGKILL']) {
      try {
        process.kill(-server.pid, signal);
      } catch {
        // already gone
      }
    }
  }
  server = undefined;
}
async function cleanUp() {
  try {
    await browser?.close();
  } catch {
    // the browser may be gone already
  }
  killServer();
  fs.rmSync(scratch, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killServer();
    fs.rmSync(scratch, { recursive: true, force: true });
    process.exit(1);
  });
}
process.on('exit', killServer);
const watchdog = setTimeout(() => {
  log(`FAIL the whole run took longer than ${seconds(hardTimeout)}: stopped`);
  log(`${passed} passed, ${failed + 1} failed (${seconds(Date.now() - started)})`);
  killServer();
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
}, hardTimeout);

/** Polls `probe` until it returns a truthy value, or throws after `ms`, saying `what`. */
async function waitFor(/** @type {() => any} */ probe, /** @type {string} */ what, ms = 30000, every = 150) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) {
        return last;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${seconds(ms)} waiting for ${what}${last ? ` (last: ${String(last).slice(0, 300)})` : ''}`);
    }
    await sleep(every);
  }
}

let shotCount = 0;
/** @type {string[]} */
const shotList = [];
async function screenshot(/** @type {any} */ page, /** @type {string} */ name, /** @type {string} */ shows) {
  shotCount += 1;
  const file = path.join(shots, `${String(shotCount).padStart(2, '0')}-${name}.png`);
  try {
    await page.screenshot({ path: file });
    shotList.push(`${file}: ${shows}`);
  } catch (err) {
    log(`   (no screenshot ${name}: ${String(err).split('\n')[0]})`);
  }
}

/** Runs one check; prints `ok NAME` or `FAIL NAME: why`. */
async function check(/** @type {any} */ page, /** @type {string} */ name, /** @type {() => Promise<string | void>} */ body) {
  const t = Date.now();
  try {
    const note = await body();
    passed += 1;
    log(`ok ${name}${note ? ` (${note})` : ''} [${seconds(Date.now() - t)}]`);
  } catch (err) {
    failed += 1;
    log(`FAIL ${name}: ${String(/** @type {any} */ (err)?.message ?? err).split('\n')[0]}`);
    if (page) {
      await screenshot(page, `fail-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`, `the screen when "${name}" failed`);
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

// --- what the server says, through the CLI ---------------------------------------------

/** Lines (1-based) with findings of each severity, from `ris-lsp check --format json`. */
function expectedLines(/** @type {string} */ file) {
  let out;
  try {
    out = execFileSync(serverBin, ['check', '--format', 'json', file], { encoding: 'utf8' });
  } catch (err) {
    out = /** @type {any} */ (err).stdout; // exit 1: errors found
  }
  /** @type {Record<string, Set<number>>} */
  const lines = { error: new Set(), warning: new Set(), info: new Set() };
  /** @type {Set<string>} */
  const codes = new Set();
  for (const f of JSON.parse(out)) {
    codes.add(f.code);
    let last = f.end.line;
    if (f.end.column === 1 && last > f.start.line) {
      last -= 1;
    }
    for (let line = f.start.line; line <= last; line += 1) {
      lines[f.severity]?.add(line);
    }
  }
  return { lines, codes };
}
function cliText(/** @type {string[]} */ args, /** @type {string} */ input) {
  try {
    return execFileSync(serverBin, [...args, '-'], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  } catch (err) {
    return /** @type {any} */ (err).stdout;
  }
}

// --- the workspace -------------------------------------------------------------------------

const files = {
  'broken.ris': fs.readFileSync(path.join(root, 'examples/broken.ris'), 'utf8'),
  'flattened.ris': fs.readFileSync(path.join(root, 'examples/flattened.ris'), 'utf8'),
  'clean.ris': fs.readFileSync(path.join(root, 'examples/clean.ris'), 'utf8'),
  'fixall.ris': fs.readFileSync(path.join(root, 'examples/broken.ris'), 'utf8'),
  'format.ris': 'TY  - JOUR\nTI  - First record   \nPY  - 2021\nER  - \nTY  - BOOK\nTI  - Second record\nER  - \n\n\n',
  'new.ris': 'TY  - JOUR\nTI  - A record to complete\n\nER  - \n',
  // Two records in Web of Science's layout: its own tags, AD and SN repeated.
  'wos.ris': fs.readFileSync(path.join(root, 'tests/fixtures/export_wos.ris'), 'utf8'),
  // The Cochrane Library's spacing on every line: one pattern, hinted once.
  'cochrane.ris': [0, 1, 2]
    .map((i) => `TY  -  JOUR\nTI  -  Title ${i}\n${[...Array(12).keys()].map((k) => `N1  -  note ${k}\n`).join('')}ER  -  \n`)
    .join(''),
  // One study exported from two databases, spelled each one's way: the
  // second file is never opened, so its copy is known from the index only.
  'medline.ris':
    'TY  - JOUR\nAU  - Zhou, X.\nAU  - Lan, J.\nTI  - Interferon-gamma in tuberculous pleurisy: a meta-analysis\n' +
    'JO  - Int J Tuberc Lung Dis\nPY  - 2011\nVL  - 15\nSP  - 806\nEP  - 813\nER  - \n\n' +
    'TY  - JOUR\nAU  - Moreau, Claire\nTI  - Sleep and shift work in nurses\nT2  - Occupational Medicine\nPY  - 2019\nER  - \n',
  'scopus.ris':
    'TY  - JOUR\nAU  - Patel, Ravi\nTI  - A randomised trial of early mobilisation after hip fracture\nT2  - The Lancet\n' +
    'PY  - 2020\nDO  - 10.1016/S0140-6736(20)30001-1\nER  - \n\n' +
    'TY  - JOUR\nAU  - Zhou, Xiangdong\nAU  - Lan, Jian\nTI  - Interferon-\u03b3 in tuberculous pleurisy: A meta-analysis\n' +
    'T2  - International Journal of Tuberculosis and Lung Disease\nPY  - 2011\nVL  - 15\nIS  - 6\nSP  - 806\nEP  - 813\n' +
    'DO  - 10.5588/ijtld.10.0423\nER  - \n',
};
for (const [name, text] of Object.entries(files)) {
  fs.writeFileSync(path.join(dirs.ws, name), text);
}
const userSettings = {
  'files.autoSave': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.lightbulb.enabled': 'on',
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'outline.collapseItems': 'alwaysCollapse',
  // Text typed into settings.json stays as typed.
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
};
if (process.env.E2E_TRACE) {
  userSettings['ris-lsp.trace.server'] = 'messages';
}
const settingsFile = path.join(dirs.user, 'User', 'settings.json');
fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
fs.writeFileSync(settingsFile, JSON.stringify(userSettings, null, 2));

// --- VS Code -------------------------------------------------------------------------------

const env = {
  ...process.env,
  XDG_CONFIG_HOME: dirs.config,
  XDG_DATA_HOME: dirs.data,
  TMPDIR: dirs.tmp,
  // Nothing to look up outside: the gallery is a closed loopback port.
  EXTENSIONS_GALLERY: JSON.stringify({
    serviceUrl: 'http://127.0.0.1:9/gallery',
    itemUrl: 'http://127.0.0.1:9/items',
    resourceUrlTemplate: 'http://127.0.0.1:9/resource/{publisher}/{name}/{version}/{path}',
  }),
};
const profile = ['--user-data-dir', dirs.user, '--extensions-dir', dirs.ext];

async function main() {
  if (!fs.existsSync(vsix)) {
    throw new Error(`no package at ${vsix}`);
  }
  log(`package: ${vsix} (${fs.statSync(vsix).size} bytes)`);
  const installStart = Date.now();
  const installed = execFileSync(codeServer, [...profile, '--install-extension', vsix], { env, encoding: 'utf8' });
  log(`installed in ${seconds(Date.now() - installStart)}: ${installed.trim().split('\n').pop()}`);

  const port = await freePort();
  const serverLog = path.join(scratch, 'code-server.log');
  const logFd = fs.openSync(serverLog, 'w');
  server = spawn(
    codeServer,
    [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', ...profile, dirs.ws,
    ],
    { env, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 'code-server /healthz', 60000, 250);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  // Only loopback: anything else is refused before it leaves the browser.
  await context.route('**/*', (/** @type {any} */ route) => {
    const { hostname, protocol } = new URL(route.request().url());
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(hostname) || !protocol.startsWith('http');
    return local ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  await page.goto(`${base}/?folder=${encodeURIComponent(dirs.ws)}`);
  await waitFor(() => page.locator('.monaco-workbench .part.editor').count(), 'the workbench', 90000);
  log(`workbench loaded ${seconds(Date.now() - installStart)} after the install began`);
  await logNotifications(page);

  const ui = new Ui(page);

  // --- diagnostics ---------------------------------------------------------------------
  const broken = expectedLines(path.join(dirs.ws, 'broken.ris'));
  await check(page, 'squiggles on the lines the server reports (broken.ris)', async () => {
    const opening = Date.now();
    await ui.open('broken.ris');
    await waitFor(async () => (await ui.squiggleLines('error')).length > 0, 'the first error squiggle', 60000, 50);
    const firstSquiggle = Date.now() - installStart;
    const afterOpen = Date.now() - opening;
    await waitFor(
      async () => sameSet(await ui.squiggleLines('error'), broken.lines.error) && sameSet(await ui.squiggleLines('warning'), broken.lines.warning),
      `error squiggles on lines ${[...broken.lines.error]} and warnings on ${[...broken.lines.warning]}`,
      30000,
    );
    await screenshot(page, 'squiggles', 'broken.ris with error squiggles on lines 4 and 12 and warnings below');
    return `errors on ${[...broken.lines.error].join(',')}, warnings on ${[...broken.lines.warning].join(',')}; first squiggle ${seconds(firstSquiggle)} after code-server --install-extension began, ${seconds(afterOpen)} after Quick Open`;
  });

  await check(page, 'the bundled server runs, started with a single --stdio', async () => {
    const commands = serverCommands();
    if (commands.length !== 1) {
      throw new Error(`expected one server process from the extension folder, found ${JSON.stringify(commands)}`);
    }
    const [argv] = commands;
    const stdio = argv.filter((arg) => arg === '--stdio').length;
    if (stdio !== 1) {
      throw new Error(`started as ${argv.join(' ')}: --stdio ${stdio} times`);
    }
    return argv.map((arg) => arg.replace(dirs.ext, '<extensions>')).join(' ');
  });

  await check(page, 'Problems panel lists the findings with their codes', async () => {
    await ui.command('View: Focus Problems');
    await ui.command('View: Toggle Maximized Panel');
    const text = await waitFor(async () => {
      const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
      const all = rows.join('\n');
      return [...broken.codes].every((code) => all.includes(code)) && all;
    }, `the codes ${[...broken.codes].join(', ')} in the Problems panel`);
    await screenshot(page, 'problems', 'the Problems panel with each finding of broken.ris and its RIS code');
    const count = (text.match(/RIS\d{3}/g) ?? []).length;
    await ui.command('View: Toggle Maximized Panel');
    await ui.command('View: Hide Panel');
    return `${count} rows with codes`;
  });

  await check(page, 'hover on a tag says what it means in this record type', async () => {
    await ui.hover(7, 'T2');
    const text = await ui.hoverText((t) => t.includes('T2') && t.includes('Journal'), 'a hover on T2 naming the journal');
    await screenshot(page, 'hover-tag', 'the hover over T2 in a JOUR record: the journal');
    return text.split('\n')[0].slice(0, 60);
  });

  await check(page, 'hover on a squiggle gives the message and the code', async () => {
    await page.mouse.move(5, 5);
    await waitFor(async () => !(await page.locator('.monaco-hover:visible').count()), 'the last hover to close', 5000);
    await ui.hover(9, 'doi.org');
    await ui.hoverText((t) => t.includes('should hold the bare DOI') && t.includes('doi-not-bare'), 'the DOI warning and its help in the hover');
    await screenshot(page, 'hover-squiggle', 'the hover over the DOI squiggle: the message, RIS031 and why it matters');
    await page.mouse.move(5, 5);
  });

  // --- completion ------------------------------------------------------------------------
  await check(page, 'completion at a line start offers tags', async () => {
    await ui.open('new.ris');
    await ui.goto(3, 1);
    await page.keyboard.press('Control+Space');
    const labels = await ui.suggestions('field', (l) => l.includes('AU') && l.length >= 10, 'AU among the tags the server offers');
    await screenshot(page, 'complete-tag', 'tag completion at the start of an empty line in a JOUR record');
    await page.keyboard.type('P');
    const narrowed = await ui.suggestions('field', (l) => l.includes('PY'), 'PY once P is typed');
    await page.keyboard.press('Escape');
    return `${labels.length} shown, first ${labels.slice(0, 4).join(' ')}; after P: ${narrowed.slice(0, 4).join(' ')}`;
  });

  await check(page, 'completion after `TY  - ` offers reference types', async () => {
    await ui.goto(4, 7);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.keyboard.type('TY  - ', { delay: 20 });
    await page.keyboard.press('Control+Space');
    const labels = await ui.suggestions('enum-member', (l) => l.length >= 10, 'the reference types the server offers');
    await page.keyboard.type('JO');
    const narrowed = await ui.suggestions('enum-member', (l) => l.includes('JOUR'), 'JOUR once JO is typed');
    await screenshot(page, 'complete-type', 'reference types offered after TY  - , narrowed to JOUR by typing JO');
    await page.keyboard.press('Escape');
    return `${labels.length} shown, first ${labels.slice(0, 4).join(' ')}; after JO: ${narrowed.slice(0, 3).join(' ')}`;
  });

  // --- quick fix, fix-all, format ----------------------------------------------------------
  const flatFixed = cliText(['check', '--fix'], files['flattened.ris']);
  await check(page, 'the light bulb splits the flattened record', async () => {
    await ui.open('flattened.ris');
    await waitFor(async () => (await ui.squiggleLines('error')).includes(1), 'the RIS014 squiggle on line 1');
    await ui.goto(1, 5);
    const bulb = page.locator('.monaco-editor .lightBulbWidget, .monaco-editor .codicon-light-bulb, .monaco-editor .codicon-lightbulb-autofix').first();
    let how = 'the light bulb';
    try {
      await waitFor(() => bulb.isVisible(), 'the light bulb', 15000);
      await bulb.click();
    } catch {
      how = 'Quick Fix (Ctrl+.), no light bulb seen';
      await page.keyboard.press('Control+.');
    }
    const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Split the record into one tag per line' });
    await waitFor(() => item.isVisible(), 'the "Split the record" fix in the menu');
    await screenshot(page, 'quick-fix-menu', 'the light bulb menu on the flattened record offering the split');
    await item.click();
    await waitFor(async () => (await ui.lineText(2)).startsWith('T1  - '), 'the record split onto its own lines');
    await waitFor(async () => (await ui.squiggleLines('error')).length === 0, 'no error squiggle left');
    await ui.save();
    const saved = fs.readFileSync(path.join(dirs.ws, 'flattened.ris'), 'utf8');
    if (saved !== flatFixed) {
      throw new Error(`saved text differs from ris-lsp check --fix:\n${saved}`);
    }
    await screenshot(page, 'quick-fix-done', 'the flattened record split, one tag per line, no squiggle');
    return `via ${how}; the file now equals ris-lsp check --fix`;
  });

  await check(page, 'Fix All applies every safe fix', async () => {
    const want = cliText(['check', '--fix'], files['fixall.ris']);
    await ui.open('fixall.ris');
    await waitFor(async () => (await ui.squiggleLines('error')).length > 0, 'the squiggles of fixall.ris');
    await ui.command('Fix All');
    await waitFor(async () => (await ui.lineText(9)) === 'DO  - 10.1136/bmjgh-2021-004936', 'the bare DOI on line 9');
    await ui.save();
    await waitFor(() => fs.readFileSync(path.join(dirs.ws, 'fixall.ris'), 'utf8') === want, 'the saved file to equal ris-lsp check --fix', 10000);
    const left = expectedLines(path.join(dirs.ws, 'fixall.ris'));
    await waitFor(async () => sameSet(await ui.squiggleLines('warning'), left.lines.warning), 'the squiggles of what is left');
    await screenshot(page, 'fix-all', 'fixall.ris after Fix All: the DOI bare, ER inserted, the rest still marked');
  });

  await check(page, 'Format Document writes the canonical layout', async () => {
    const want = cliText(['fmt'], files['format.ris']);
    if (want === files['format.ris']) {
      throw new Error('format.ris is already formatted: the check would prove nothing');
    }
    await ui.open('format.ris');
    await ui.command('Format Document');
    await waitFor(async () => (await ui.lineText(5)) === '', 'a blank line between the records');
    await ui.save();
    await waitFor(() => fs.readFileSync(path.join(dirs.ws, 'format.ris'), 'utf8') === want, 'the saved file to equal ris-lsp fmt', 10000);
  });

  // --- outline ---------------------------------------------------------------------------
  await check(page, 'the Outline view lists the records', async () => {
    await ui.open('clean.ris');
    await ui.command('Explorer: Focus on Outline View');
    const rows = await waitFor(async () => {
      const texts = await page.locator('.outline-pane .monaco-list-row, .pane-body.outline .monaco-list-row').allInnerTexts();
      const records = texts.filter((t) => /^(JOUR|BOOK) · /.test(t.trim()));
      return records.length === 2 && records;
    }, 'the two records (JOUR …, BOOK …) in the Outline');
    await screenshot(page, 'outline', 'the Outline view of clean.ris: one entry per record');
    return rows.map((/** @type {string} */ t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean).slice(0, 2).join(' | ');
  });

  await check(page, 'an export is named in the Outline and its conventions squiggled once', async () => {
    await ui.open('wos.ris');
    // Each pattern once, on its first place: `AD` and `SN` repeated in both
    // records are two warnings, in the first record only.
    await waitFor(async () => sameSet(await ui.squiggleLines('warning'), new Set([10, 18])), 'warnings on lines 10 and 18 only');
    await ui.command('Explorer: Focus on Outline View');
    const top = await waitFor(async () => {
      const texts = await page.locator('.outline-pane .monaco-list-row, .pane-body.outline .monaco-list-row').allInnerTexts();
      return texts.find((t) => t.includes('Web of Science export, 2 records'));
    }, 'the exporter in the Outline');
    await screenshot(page, 'exporter', 'wos.ris: the Outline names the exporter; AD and SN warned once each');
    return top.replace(/\s+/g, ' ').trim();
  });

  await check(page, 'a quirk on every line is fixed by the light bulb on any of its lines', async () => {
    await ui.open('cochrane.ris');
    // The eighth note of the second record: far from the one place shown.
    await waitFor(async () => (await ui.lineText(25)) === 'N1  -  note 7', 'cochrane.ris on screen');
    const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Write `N1  -`' });
    // Asked again until the menu holds it: on a slow machine the first ask
    // can come before the server has the file.
    await waitFor(async () => {
      await page.keyboard.press('Escape');
      await ui.goto(25, 3);
      await page.keyboard.press('Control+.');
      try {
        await waitFor(() => item.first().isVisible(), 'the fix in the menu', 3000);
        return true;
      } catch {
        return false;
      }
    }, 'the "Write `N1  -`" fix in the menu', 45000);
    await screenshot(page, 'quirk-fix-menu', 'cochrane.ris: the fix for the spacing offered on line 25');
    await item.first().click();
    await waitFor(async () => (await ui.lineText(25)) === 'N1  - note 7', 'line 25 written with one space');
    return 'the fix was offered and applied on line 25';
  });

  await check(page, 'a copy in a file nobody opened is flagged, and merged by the light bulb', async () => {
    await ui.open('medline.ris');
    await waitFor(async () => (await ui.squiggleLines('info')).includes(1), 'the RIS071 squiggle on line 1');
    await ui.hover(1, 'TY');
    const message = await ui.hoverText((t) => t.includes('duplicate of the record at scopus.ris:9'), 'the duplicate finding naming scopus.ris:9');
    await screenshot(page, 'duplicate', 'medline.ris: the record flagged as a duplicate of scopus.ris:9, a file not open');
    await page.mouse.move(5, 5);
    await ui.goto(1, 1);
    await page.keyboard.press('Control+.');
    const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Merge 1 duplicate into this record' });
    await waitFor(() => item.isVisible(), 'the "Merge 1 duplicate" fix in the menu');
    await item.click();
    await waitFor(async () => Object.values(await ui.lines()).includes('DO  - 10.5588/ijtld.10.0423'), "the copy's DOI in the merged record");
    await ui.command('File: Save All');
    const scopus = await waitFor(() => {
      const text = fs.readFileSync(path.join(dirs.ws, 'scopus.ris'), 'utf8');
      return !text.includes('Interferon') && text;
    }, 'the copy removed from scopus.ris on disk', 10000);
    const medline = fs.readFileSync(path.join(dirs.ws, 'medline.ris'), 'utf8');
    if (!scopus.includes('Patel, Ravi') || !medline.includes('AU  - Zhou, Xiangdong') || !medline.includes('Sleep and shift work')) {
      throw new Error(`after the merge:\n${medline}\n---\n${scopus}`);
    }
    await waitFor(async () => !(await ui.squiggleLines('info')).includes(1), 'the RIS071 squiggle gone');
    await screenshot(page, 'merged', 'medline.ris after the merge: one record keeping both spellings, the copy gone from scopus.ris');
    return message.split('\n').find((l) => l.includes('duplicate of'))?.trim().slice(0, 90);
  });

  // --- settings --------------------------------------------------------------------------
  await check(page, 'a code set to off in settings.json goes away without a restart', async () => {
    await ui.open('broken.ris');
    await waitFor(async () => (await ui.squiggleLines('warning')).includes(8), 'the RIS040 warning on line 8');
    // As a person does it: edit settings.json in VS Code and save it.
    await ui.command('Preferences: Open User Settings (JSON)');
    // It opens focused (in a tab or, in newer versions, a modal editor).
    const editor = page.locator('.monaco-editor.focused', { hasText: 'files.autoSave' });
    await waitFor(() => editor.isVisible(), 'settings.json in a focused editor');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.insertText(' "ris-lsp.severity": { "RIS040": "off" },');
    await page.keyboard.press('Control+S');
    await waitFor(() => {
      const saved = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
      return saved['ris-lsp.severity']?.RIS040 === 'off' && saved['files.autoSave'] === 'off';
    }, 'settings.json saved with RIS040 off', 10000);
    await page.keyboard.press('Control+W');
    // Under load the save may still be in flight: then VS Code asks, and we save.
    const ask = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Save$/ });
    await waitFor(async () => {
      if (await ask.isVisible()) {
        await ask.click();
      }
      return !(await editor.isVisible());
    }, 'settings.json to close', 10000);
    await ui.open('broken.ris');
    const rest = new Set([...broken.lines.warning].filter((line) => line !== 8));
    await waitFor(async () => sameSet(await ui.squiggleLines('warning'), rest), 'line 8 clean and the other warnings kept', 30000);
    await ui.command('View: Focus Problems');
    await waitFor(async () => {
      const all = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n');
      // A warning that stays (infos are listed last, maybe out of view).
      return all.includes('RIS050') && !all.includes('RIS040');
    }, 'RIS040 gone from the Problems panel');
    await screenshot(page, 'setting-off', 'broken.ris after "ris-lsp.severity": {"RIS040": "off"}: line 8 clean');
    await ui.command('View: Hide Panel');
  });

  await check(page, 'the server started once and never crashed', async () => {
    const starts = (extensionLog().match(/ris-lsp started/g) ?? []).length;
    await ui.command('Notifications: Show Notifications');
    const center = (await page.locator('.notifications-center').allInnerTexts()).join(' ');
    if (/crashed|could not start|not found/i.test(center)) {
      throw new Error(`notification: ${center.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    if (starts !== 1) {
      throw new Error(`the server log says "ris-lsp started" ${starts} times`);
    }
    return 'one start in the log, no crash notification';
  });
}

/** The extension's output channel files, as VS Code logged them. */
function outputFiles() {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.includes('RIS Language Server')) {
        found.push(full);
      }
    }
  };
  try {
    walk(dirs.user);
  } catch {
    // no logs yet
  }
  return found;
}

/** Everything the extension's output channel holds. */
function extensionLog() {
  return outputFiles()
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n');
}

/** Prints the end of the extension's output channel. */
function serverOutput() {
  for (const file of outputFiles()) {
    log(`--- ${file} (last 40 lines)`);
    log(fs.readFileSync(file, 'utf8').split('\n').slice(-40).join('\n'));
  }
}

/** The command lines of the running ris-lsp processes started from the installed extension. */
function serverCommands() {
  /** @type {string[][]} */
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv[0]?.startsWith(dirs.ext) && path.basename(argv[0]) === 'ris-lsp') {
        found.push(argv);
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

function sameSet(/** @type {number[]} */ a, /** @type {Set<number>} */ b) {
  return a.length === b.size && a.every((x) => b.has(x));
}

async function logNotifications(/** @type {any} */ page) {
  const toasts = await page.locator('.notification-toast').allInnerTexts();
  for (const toast of toasts) {
    log(`   notification: ${toast.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
}

/** What a person does and sees in the workbench. */
class Ui {
  constructor(/** @type {any} */ page) {
    this.page = page;
  }

  editor() {
    return this.page.locator('.part.editor .editor-instance .monaco-editor').first();
  }

  /** Runs a command from the Command Palette by its title. */
  async command(/** @type {string} */ title) {
    const { page } = this;
    const input = page.locator('.quick-input-widget input');
    await page.keyboard.press('F1');
    await waitFor(() => input.isVisible(), 'the Command Palette');
    await input.fill(`>${title}`);
    // Enter runs the focused row: wait until that is the command, not only
    // until the command is listed (the list may still hold the last filter's
    // rows, and Enter then ran another command, or none).
    const focused = page.locator('.quick-input-widget .monaco-list-row.focused').first();
    await waitFor(async () => {
      const label = await focused.getAttribute('aria-label', { timeout: 1000 }).catch(() => null);
      return label && label.toLowerCase().startsWith(title.toLowerCase());
    }, `"${title}" focused in the Command Palette`);
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await input.isVisible()), 'the Command Palette to close', 10000);
  }

  /** Opens a workspace file with Quick Open and waits for its editor. */
  async open(/** @type {string} */ name) {
    const { page } = this;
    const input = page.locator('.quick-input-widget input');
    await page.keyboard.press('Control+P');
    await waitFor(() => input.isVisible(), 'Quick Open');
    await input.fill(name);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    await waitFor(() => row.isVisible(), `${name} in Quick Open`);
    await row.click();
    await waitFor(async () => {
      const label = await page.locator('.tab.active').first().getAttribute('aria-label');
      if (!label?.startsWith(name)) {
        throw new Error(`the active tab is ${label}`);
      }
      return true;
    }, `the ${name} tab`);
    await waitFor(() => this.editor().locator('.view-line').count(), `${name} in the editor`);
    await this.editor().locator('.view-lines').click({ position: { x: 2, y: 2 } });
  }

  /** Moves the cursor with Go to Line. */
  async goto(/** @type {number} */ line, /** @type {number} */ column) {
    const { page } = this;
    const input = page.locator('.quick-input-widget input');
    await page.keyboard.press('Control+G');
    await waitFor(() => input.isVisible(), 'Go to Line');
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await input.isVisible()), 'Go to Line to close', 10000);
  }

  async save() {
    await this.page.keyboard.press('Control+S');
    await waitFor(async () => !(await this.page.locator('.tab.active.dirty').count()), 'the file to be saved', 10000);
  }

  /** The visible lines of the active editor: line number → text. */
  async lines() {
    return this.editor().evaluate((/** @type {Element} */ editor) => {
      /** @type {Record<number, number>} top → line number */
      const byTop = {};
      for (const div of editor.querySelectorAll('.margin-view-overlays > div')) {
        const n = div.querySelector('.line-numbers');
        if (n) {
          byTop[parseFloat(/** @type {HTMLElement} */ (div).style.top)] = Number(n.textContent);
        }
      }
      /** @type {Record<number, string>} */
      const text = {};
      for (const line of editor.querySelectorAll('.view-lines > .view-line')) {
        const n = byTop[parseFloat(/** @type {HTMLElement} */ (line).style.top)];
        if (n) {
          text[n] = (line.textContent ?? '').replace(/\u00a0/g, ' ');
        }
      }
      return text;
    });
  }

  async lineText(/** @type {number} */ n) {
    return ((await this.lines())[n] ?? '').replace(/\s+$/, '');
  }

  /** Line numbers (sorted) that carry a squiggle of `kind` (error, warning, info). */
  async squiggleLines(/** @type {string} */ kind) {
    return this.editor().evaluate((/** @type {Element} */ editor, /** @type {string} */ kind) => {
      /** @type {Record<number, number>} */
      const byTop = {};
      for (const div of editor.querySelectorAll('.margin-view-overlays > div')) {
        const n = div.querySelector('.line-numbers');
        if (n) {
          byTop[parseFloat(/** @type {HTMLElement} */ (div).style.top)] = Number(n.textContent);
        }
      }
      const found = new Set();
      for (const squiggle of editor.querySelectorAll(`.view-overlays .squiggly-${kind}`)) {
        const div = /** @type {HTMLElement} */ (squiggle.parentElement);
        const n = byTop[parseFloat(div.style.top)];
        if (n) {
          found.add(n);
        }
      }
      return [...found].sort((a, b) => a - b);
    }, kind);
  }

  /** Moves the mouse onto `text` on line `n`. */
  async hover(/** @type {number} */ n, /** @type {string} */ text) {
    const box = await waitFor(
      () =>
        this.editor().evaluate(
          (/** @type {Element} */ editor, /** @type {[number, string]} */ [n, text]) => {
            let top;
            for (const div of editor.querySelectorAll('.margin-view-overlays > div')) {
              if (div.querySelector('.line-numbers')?.textContent === String(n)) {
                top = parseFloat(/** @type {HTMLElement} */ (div).style.top);
              }
            }
            for (const line of editor.querySelectorAll('.view-lines > .view-line')) {
              if (parseFloat(/** @type {HTMLElement} */ (line).style.top) !== top) {
                continue;
              }
              const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = (node.textContent ?? '').replace(/\u00a0/g, ' ').indexOf(text);
                if (at >= 0) {
                  const range = document.createRange();
                  range.setStart(node, at);
                  range.setEnd(node, at + text.length);
                  const r = range.getBoundingClientRect();
                  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
                }
              }
            }
            return null;
          },
          [n, text],
        ),
      `"${text}" on line ${n}`,
    );
    await this.page.mouse.move(box.x - 3, box.y);
    await this.page.mouse.move(box.x, box.y, { steps: 3 });
  }

  async hoverText(/** @type {(t: string) => boolean} */ ok, /** @type {string} */ what) {
    return waitFor(async () => {
      const text = (await this.page.locator('.monaco-hover:visible').allInnerTexts()).join('\n');
      return ok(text) && text;
    }, what, 20000);
  }

  /**
   * The labels in the suggest widget of items of `kind` (the icon's codicon: the server
   * sends tags as fields and types as enum members, VS Code's own word guesses are
   * text), once `ok` holds for them.
   */
  async suggestions(/** @type {string} */ kind, /** @type {(labels: string[]) => boolean} */ ok, /** @type {string} */ what) {
    return waitFor(async () => {
      const rows = this.page.locator('.suggest-widget.visible .monaco-list-row', {
        has: this.page.locator(`.codicon-symbol-${kind}`),
      });
      const labels = (await rows.locator('.label-name').allInnerTexts()).map((/** @type {string} */ l) => l.trim());
      return ok(labels) && labels;
    }, what, 20000);
  }
}

let exitCode = 1;
try {
  await main();
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
} catch (err) {
  failed += 1;
  log(`FAIL setting up VS Code: ${String(/** @type {any} */ (err)?.message ?? err).split('\n')[0]}`);
  const serverLog = path.join(scratch, 'code-server.log');
  if (fs.existsSync(serverLog)) {
    log(fs.readFileSync(serverLog, 'utf8').split('\n').slice(-20).join('\n'));
  }
} finally {
  clearTimeout(watchdog);
  if (failed > 0) {
    serverOutput();
  }
  await cleanUp();
}
log('screenshots:');
for (const line of shotList) {
  log(`  ${line}`);
}
log(`${passed} passed, ${failed} failed (${seconds(Date.now() - started)})`);
process.exit(exitCode);
