/**
 * Go's strconv quoting, checked two ways: fixed cases written down here, and the same functions of the
 * Go toolchain (the small program in strconv-oracle/, built on the fly) on a set of strings and runes
 * that covers every escape class, lone surrogates and unassigned code points included. Needs `go` on
 * PATH (Debian: golang-go); without it the comparison is skipped, visibly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { goQuote, quoteRune } from '../../src/go/strconv.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ORACLE_DIR = path.join(ROOT, 'test/go/strconv-oracle');
const HAVE_GO = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;

test('goQuote() - escapes like strconv.Quote', (t) => {
  t.is(goQuote('plain'), '"plain"');
  t.is(goQuote('say "hi"\\'), '"say \\"hi\\"\\\\"');
  t.is(goQuote('a\tb\nc\rd\u0007\b\f\v'), '"a\\tb\\nc\\rd\\a\\b\\f\\v"');
  t.is(goQuote('\u0001\u007f'), '"\\x01\\x7f"');
  t.is(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  t.is(goQuote('héllo もしもし 😀'), '"héllo もしもし 😀"');
  t.is(goQuote('é😀', true), '"\\u00e9\\U0001f600"');
});

test('goQuote() - a lone surrogate is U+FFFD, printed as itself (escaped only under QuoteToASCII)', (t) => {
  t.is(goQuote('a\ud800b'), '"a\ufffdb"');
  t.is(goQuote('\udc00'), '"\ufffd"');
  t.is(goQuote('\ud800', true), '"\\ufffd"');
  t.is(quoteRune(0xd800, false), "'\ufffd'");
  t.is(quoteRune(0x110000, true), "'\\ufffd'");
});

const STRINGS = [
  '', 'plain', '"\'`\\', '\x00\x01\x07\b\t\n\v\f\r\x1b\x7f', ' \u00a0\u1680\u2000\u2028\u2029\u3000', '\u0085\u00ad\u200b\u200e\ufeff',
  'é ñ もしもし 中文 ٣', '😀 𝔘 \u{1f1e6}\u{1f1e8}', '\ud800', '\udfff', 'a\ud83db', '\ude00x', '\ufffd', '\u0378\u{e0001}\u{10ffff}',
  '\u{f0000}', '\u0301a\u0301', '\u{1d173}', '\u0600\u061c',
];
const RUNES = [0, 7, 9, 0x27, 0x22, 0x5c, 0x41, 0x7f, 0x80, 0xa0, 0xe9, 0x2028, 0xd800, 0xdfff, 0xfffd, 0xfeff, 0x1f600, 0x10ffff, 0x110000, 0x378];

interface GoOutput {
  readonly quote: string[];
  readonly ascii: string[];
  readonly rune: string[];
  readonly runeAscii: string[];
}

function runGo(): { ok: true; value: GoOutput } | { ok: false; why: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cnv-strconv-oracle-'));
  try {
    const env = {
      ...process.env,
      // Go's build cache goes under the temp dir (not ~/.cache), one per user, kept between runs for speed.
      GOCACHE: process.env['GOCACHE'] ?? path.join(os.tmpdir(), `cnv-test-gocache-${process.getuid?.() ?? 'user'}`),
      GOFLAGS: '-mod=mod',
      GOTOOLCHAIN: 'local',
    };
    const binary = path.join(dir, 'oracle');
    const build = spawnSync('go', ['build', '-o', binary, '.'], { cwd: ORACLE_DIR, encoding: 'utf8', env });
    if (build.status !== 0) return { ok: false, why: `go build failed: ${build.stderr}` };
    const run = spawnSync(binary, { input: JSON.stringify({ strings: STRINGS, runes: RUNES }), encoding: 'utf8' });
    if (run.status !== 0) return { ok: false, why: `oracle failed: ${run.stderr}` };
    return { ok: true, value: JSON.parse(run.stdout) as GoOutput };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

(HAVE_GO ? test : test.skip)(`go-oracle - ${STRINGS.length} strings and ${RUNES.length} runes quote exactly as Go's strconv quotes them`, (t) => {
  const go = runGo();
  if (!go.ok) return t.fail(go.why);
  t.deepEqual(STRINGS.map((s) => goQuote(s)), go.value.quote);
  t.deepEqual(STRINGS.map((s) => goQuote(s, true)), go.value.ascii);
  t.deepEqual(RUNES.map((r) => quoteRune(r, false)), go.value.rune);
  t.deepEqual(RUNES.map((r) => quoteRune(r, true)), go.value.runeAscii);
});
