/**
 * Go's strconv quoting (`%q`, `%+q`, strconv.Quote, QuoteToASCII, QuoteRune): which runes print as
 * themselves and how the others are escaped. Diffs and template output show these texts to users, so
 * the escaping must be Go's to the byte.
 *
 * A JavaScript string can hold a lone surrogate, which Go strings cannot: every way text reaches Go
 * (UTF-8 encoding, encoding/json) turns it into U+FFFD, which Go prints as itself (`\ufffd` under
 * QuoteToASCII). test/go/strconv.test.ts checks this against the Go toolchain.
 */

// Go's unicode.IsPrint outside ASCII: letters, marks, numbers, punctuation and symbols; not spaces, not controls.
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;
const REPLACEMENT = '\ufffd';

/** strconv.Quote: a double-quoted Go string literal. `ascii` escapes everything outside ASCII (%+q). */
export function goQuote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(asGoRune(ch), '"', ascii);
  return `${out}"`;
}

/** strconv.QuoteRune: a single-quoted Go character literal. Invalid runes become U+FFFD, as in Go. */
export function quoteRune(cp: number, ascii: boolean): string {
  const ch = cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) ? REPLACEMENT : String.fromCodePoint(cp);
  return `'${escapeRune(ch, "'", ascii)}'`;
}

/** A lone surrogate (the only way a JS code point can be an invalid Go rune) as Go would see it. */
function asGoRune(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp >= 0xd800 && cp < 0xe000 ? REPLACEMENT : ch;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function escapeRune(ch: string, quote: string, ascii: boolean): string {
  const cp = ch.codePointAt(0)!;
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (cp >= 0x20 && cp < 0x7f) return ch;
  if (cp >= 0x80 && !ascii && !NON_PRINTABLE.test(ch)) return ch;
  const short = SHORT_ESCAPES[ch];
  if (short !== undefined) return short;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
