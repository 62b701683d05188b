/**
 * The two Go string functions the original's printers lean on: strconv.Quote (`%q`) and strings.TrimSpace.
 * Diffs are shown quoted, so the exact escaping is visible to users and must match.
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols, and the ASCII space only.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

/** Quotes like Go's strconv.Quote: printable runes stay, the rest become Go escapes. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate is what Go would see as invalid UTF-8 decoded to U+FFFD
    } else if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\x${hex(code, 2)}`;
    } else if (code < 0x10000) {
      out += `\\u${hex(code, 4)}`;
    } else {
      out += `\\U${hex(code, 8)}`;
    }
  }
  return out + '"';
}

// Go's unicode.IsSpace for the whole range; JavaScript's trim() also strips U+FEFF, which Go keeps.
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`, 'u');

/** Go's strings.TrimSpace. */
export function goTrimSpace(text: string): string {
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}
