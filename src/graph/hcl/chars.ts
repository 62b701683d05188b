/**
 * Token kinds and character classes of the HCL v1 scanner, and the number scanner (a pure
 * function, so the lexer class stays about tokens and positions).
 */

/** Token kinds; numbers rather than strings so the hot loop compares small integers. */
export const Tok = {
  EOF: 0,
  IDENT: 1,
  STRING: 2,
  HEREDOC: 3,
  NUMBER: 4,
  FLOAT: 5,
  BOOL: 6,
  LBRACE: 7,
  RBRACE: 8,
  LBRACK: 9,
  RBRACK: 10,
  COMMA: 11,
  ASSIGN: 12,
  PERIOD: 13,
  SUB: 14,
  ADD: 15,
} as const;
export type TokKind = (typeof Tok)[keyof typeof Tok];

export const CH_TAB = 9;
export const CH_LF = 10;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_QUOTE = 34;
export const CH_HASH = 35;
export const CH_DOLLAR = 36;
export const CH_STAR = 42;
export const CH_PLUS = 43;
export const CH_COMMA = 44;
export const CH_MINUS = 45;
export const CH_DOT = 46;
export const CH_SLASH = 47;
export const CH_0 = 48;
export const CH_7 = 55;
export const CH_9 = 57;
export const CH_LT = 60;
export const CH_EQ = 61;
export const CH_BACKSLASH = 92;
export const CH_LBRACK = 91;
export const CH_RBRACK = 93;
export const CH_UNDERSCORE = 95;
export const CH_LBRACE = 123;
export const CH_RBRACE = 125;

export const NON_ASCII_LETTER = /\p{L}/u;
export const NON_ASCII_DIGIT = /\p{Nd}/u;

export function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === CH_UNDERSCORE;
}
export function isDecimal(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}
export function isHex(c: number): boolean {
  return isDecimal(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Whether the code point at `i` (non-ASCII) matches `re`. */
export function isUnicodeAt(src: string, i: number, re: RegExp): boolean {
  return re.test(String.fromCodePoint(src.codePointAt(i) ?? 0));
}

/** What scanNumber found: a token kind and its end, or an error at an offset. */
export type NumberScan =
  | { readonly kind: TokKind; readonly end: number; readonly error?: undefined }
  | { readonly error: string; readonly at: number };

/** Numbers as HCL v1 scans them: `0x..` hex, leading-zero octal, decimals, fractions, exponents. */
export function scanNumber(src: string, i: number): NumberScan {
  let j = i;
  if (src.charCodeAt(j) === CH_0) {
    j++;
    const x = src.charCodeAt(j);
    if (x === 120 || x === 88) {
      j++;
      const digits = j;
      while (isHex(src.charCodeAt(j))) j++;
      if (j === digits) return { error: 'illegal hexadecimal number: expected hex digits after "0x"', at: j };
      return { kind: Tok.NUMBER, end: j };
    }
    let badOctal = false;
    while (isDecimal(src.charCodeAt(j))) {
      if (src.charCodeAt(j) > CH_7) badOctal = true;
      j++;
    }
    const c = src.charCodeAt(j);
    if (c === 101 || c === 69) return { kind: Tok.FLOAT, end: exponent(src, j) };
    if (c === CH_DOT) return { kind: Tok.FLOAT, end: fraction(src, j) };
    if (badOctal) return { error: `illegal octal number ${src.slice(i, j)}: a leading 0 makes it octal (digits 0-7)`, at: i };
    return { kind: Tok.NUMBER, end: j };
  }
  while (isDecimal(src.charCodeAt(j))) j++;
  const c = src.charCodeAt(j);
  if (c === 101 || c === 69) return { kind: Tok.FLOAT, end: exponent(src, j) };
  if (c === CH_DOT) return { kind: Tok.FLOAT, end: fraction(src, j) };
  return { kind: Tok.NUMBER, end: j };
}

/** At a '.': digits, then an optional exponent. */
export function fraction(src: string, i: number): number {
  let j = i + 1;
  while (isDecimal(src.charCodeAt(j))) j++;
  const c = src.charCodeAt(j);
  return c === 101 || c === 69 ? exponent(src, j) : j;
}

/** At an 'e'/'E': optional sign, digits. Missing digits are caught when the value is read. */
function exponent(src: string, i: number): number {
  let j = i + 1;
  const c = src.charCodeAt(j);
  if (c === CH_PLUS || c === CH_MINUS) j++;
  while (isDecimal(src.charCodeAt(j))) j++;
  return j;
}

/** A heredoc closing line: optional whitespace, the anchor, optional carriage returns. */
export function closesHeredoc(src: string, from: number, to: number, anchor: string): boolean {
  let k = from;
  while (k < to) {
    const c = src.charCodeAt(k);
    if (c === CH_SPACE || c === CH_TAB || c === 11 || c === 12 || c === CH_CR) k++;
    else break;
  }
  if (!src.startsWith(anchor, k)) return false;
  k += anchor.length;
  while (k < to && src.charCodeAt(k) === CH_CR) k++;
  return k === to;
}
