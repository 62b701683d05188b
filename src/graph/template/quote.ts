/** Go's strconv quoting: which runes print as themselves and how the others are escaped. */

const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** strconv.Quote: a double-quoted Go string literal. `ascii` escapes everything outside ASCII (%+q). */
export function goQuote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += escapeRune(ch, cp, '"', ascii);
  }
  return `${out}"`;
}

function escapeRune(ch: string, cp: number, quote: string, ascii: boolean): string {
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (cp >= 0x20 && cp < 0x7f) return ch;
  if (cp >= 0x80 && !ascii && !(NON_PRINTABLE.test(ch) && cp !== 0x20)) return ch;
  switch (ch) {
    case '\x07':
      return '\\a';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\v':
      return '\\v';
    default:
      break;
  }
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** strconv.QuoteRune: a single-quoted Go character literal. */
export function quoteRune(cp: number, ascii: boolean): string {
  const ch = cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) ? '\ufffd' : String.fromCodePoint(cp);
  return `'${escapeRune(ch, ch.codePointAt(0)!, "'", ascii)}'`;
}
