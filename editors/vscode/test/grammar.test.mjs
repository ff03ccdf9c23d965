// Tokenizes the fixture .ris files with the engine VS Code itself uses
// (vscode-textmate + the oniguruma WASM build) and checks the scopes of each construct.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
/** @param {string} rel a path relative to the extension folder */
const read = (rel) => readFileSync(new URL(`../${rel}`, import.meta.url), 'utf8');

const manifest = JSON.parse(read('package.json'));
const grammarPath = manifest.contributes.grammars[0].path;

const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === 'source.ris' ? vsctm.parseRawGrammar(read(grammarPath), grammarPath) : null,
});
const grammar = await registry.loadGrammar('source.ris');
assert.ok(grammar, 'grammar source.ris loads');

/**
 * @typedef {{ text: string, scopes: string[] }} Token
 * @typedef {{ text: string, tokens: Token[] }} Line
 */

/**
 * Tokenizes a fixture. Lines are split on LF only, so CRLF lines keep their CR,
 * as they do for tokenizers that do not normalize line endings.
 * @param {string} name
 * @returns {Line[]}
 */
function tokenize(name) {
  let state = vsctm.INITIAL;
  return read(`test/fixtures/${name}`).split('\n').map((text) => {
    const result = /** @type {vsctm.IGrammar} */ (grammar).tokenizeLine(text, state);
    state = result.ruleStack;
    return {
      text,
      tokens: result.tokens.map((t) => ({ text: text.slice(t.startIndex, t.endIndex), scopes: t.scopes })),
    };
  });
}

/**
 * The tokens covering the first occurrence of `fragment` in the first line starting with `prefix`.
 * @param {Line[]} lines
 * @param {string} prefix
 * @param {string} fragment
 */
function tokensOf(lines, prefix, fragment) {
  const line = lines.find((l) => l.text.startsWith(prefix));
  assert.ok(line, `a line starts with ${JSON.stringify(prefix)}`);
  const start = line.text.indexOf(fragment);
  assert.ok(start >= 0, `${JSON.stringify(fragment)} occurs in ${JSON.stringify(line.text)}`);
  const end = start + fragment.length;
  /** @type {Token[]} */
  const covering = [];
  let offset = 0;
  for (const token of line.tokens) {
    const tokenEnd = offset + token.text.length;
    if (tokenEnd > start && offset < end) covering.push(token);
    offset = tokenEnd;
  }
  return covering;
}

/** Every token of `fragment` has `scope`, and together they are exactly `fragment`. */
function assertScope(/** @type {Line[]} */ lines, /** @type {string} */ prefix, /** @type {string} */ fragment, /** @type {string} */ scope) {
  const tokens = tokensOf(lines, prefix, fragment);
  assert.equal(tokens.map((t) => t.text).join(''), fragment, `${JSON.stringify(fragment)} is a token of its own`);
  for (const t of tokens) {
    assert.ok(t.scopes.includes(scope), `${JSON.stringify(t.text)} has ${scope}; got ${t.scopes.join(' ')}`);
  }
}

/** No token of `fragment` has a scope starting with `scope`. */
function assertNoScope(/** @type {Line[]} */ lines, /** @type {string} */ prefix, /** @type {string} */ fragment, /** @type {string} */ scope) {
  for (const t of tokensOf(lines, prefix, fragment)) {
    assert.ok(!t.scopes.some((s) => s.startsWith(scope)), `${JSON.stringify(t.text)} lacks ${scope}; got ${t.scopes.join(' ')}`);
  }
}

const sample = tokenize('sample.ris');

test('manifest contributes the ris language and the source.ris grammar', () => {
  const lang = manifest.contributes.languages[0];
  assert.equal(lang.id, 'ris');
  assert.deepEqual(lang.extensions, ['.ris']);
  assert.equal(manifest.contributes.grammars[0].language, 'ris');
  assert.equal(manifest.contributes.grammars[0].scopeName, 'source.ris');
  assert.equal(JSON.parse(read(grammarPath)).scopeName, 'source.ris');
  JSON.parse(read(lang.configuration));
});

test('tag codes, including letter+digit codes', () => {
  assertScope(sample, 'AU  - Smith', 'AU', 'entity.name.tag.ris');
  assertScope(sample, 'T2  - ', 'T2', 'entity.name.tag.ris');
  assertScope(sample, 'TY  - JOUR', 'TY', 'entity.name.tag.ris');
});

test('the "  - " separator', () => {
  assertScope(sample, 'AU  - Smith', '  - ', 'punctuation.separator.key-value.ris');
  assertScope(sample, 'TY  - JOUR', '  - ', 'punctuation.separator.key-value.ris');
});

test('the TY value is a reference type', () => {
  assertScope(sample, 'TY  - JOUR', 'TY  - JOUR', 'meta.record-start.ris');
  assertScope(sample, 'TY  - JOUR', 'JOUR', 'entity.name.type.reference-type.ris');
  assertScope(sample, 'TY  - BOOK', 'BOOK', 'entity.name.type.reference-type.ris');
});

test('the ER line, with and without its trailing space', () => {
  assertScope(sample, 'ER  - ', 'ER', 'keyword.control.record-end.ris');
  assertScope(sample, 'ER  - ', '  - ', 'punctuation.separator.key-value.ris');
  const bare = sample.filter((l) => l.text === 'ER  -');
  assert.equal(bare.length, 1);
  assertScope(bare, 'ER', 'ER', 'keyword.control.record-end.ris');
  assertScope(bare, 'ER', '  -', 'punctuation.separator.key-value.ris');
});

test('DOIs, in DO and inside other values', () => {
  assertScope(sample, 'DO  - ', '10.1000/xyz-123.45', 'constant.other.doi.ris');
  assertScope(sample, 'N1  - ', '10.5555/abc.1', 'constant.other.doi.ris');
});

test('URLs, stopping at the ";" between several', () => {
  assertScope(sample, 'UR  - ', 'https://example.org/articles/42?view=full', 'markup.underline.link.ris');
  assertScope(sample, 'UR  - ', 'https://example.org/other', 'markup.underline.link.ris');
  assertNoScope(sample, 'UR  - ', ';', 'markup.underline.link');
});

test('dates YYYY/MM/DD/other with empty parts', () => {
  assertScope(sample, 'DA  - ', '1998///Spring', 'constant.other.date.ris');
  assertScope(sample, 'Y2  - ', '2020/05/17/', 'constant.other.date.ris');
});

test('whole-value numbers, but not numbers inside text', () => {
  assertScope(sample, 'PY  - ', '2020', 'constant.numeric.ris');
  assertScope(sample, 'VL  - ', '12', 'constant.numeric.ris');
  assertScope(sample, 'SP  - ', '100', 'constant.numeric.ris');
  assertNoScope(sample, 'T2  - ', '2020', 'constant.numeric');
});

test('lowercase or mis-spaced tags are marked invalid, not tags', () => {
  assertScope(sample, 'au  - ', 'au', 'invalid.illegal.tag.ris');
  assertNoScope(sample, 'au  - ', 'au', 'entity.name.tag');
  assertScope(sample, 'TY - JOUR single', 'TY', 'invalid.illegal.tag.ris');
  assertScope(sample, 'TY - JOUR single', ' -', 'invalid.illegal.separator.ris');
  assertNoScope(sample, 'TY - JOUR single', 'JOUR', 'entity.name.type');
});

test('continuation lines are plain text', () => {
  const line = sample.find((l) => l.text.startsWith('a continuation line'));
  assert.ok(line);
  for (const t of line.tokens) assert.deepEqual(t.scopes, ['source.ris']);
});

test('CRLF lines tokenize like LF lines, the CR outside every value scope', () => {
  const crlf = tokenize('crlf.ris');
  assert.ok(crlf[0].text.endsWith('\r'), 'the fixture really has CRLF endings');
  assertScope(crlf, 'TY  - ', 'TY', 'entity.name.tag.ris');
  assertScope(crlf, 'TY  - ', 'CHAP', 'entity.name.type.reference-type.ris');
  assertNoScope(crlf, 'TY  - ', '\r', 'entity.name.type');
  assertScope(crlf, 'PY  - ', '2021', 'constant.numeric.ris');
  assertScope(crlf, 'UR  - ', 'https://example.org/crlf', 'markup.underline.link.ris');
  assertNoScope(crlf, 'UR  - ', '\r', 'markup.underline.link');
  assertScope(crlf, 'ER  - ', 'ER', 'keyword.control.record-end.ris');
});
