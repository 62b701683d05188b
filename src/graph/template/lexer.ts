/**
 * Tokeniser for the Go text/template subset. It follows the token rules of Go's text/template/parse
 * lexer (trim markers, comments, field/variable/identifier classification, number syntax) so that the
 * same sources are accepted and rejected. A lexing problem becomes a single `error` token at the point
 * where it was found; the parser reports it only when it reaches it, so an earlier parse error (for
 * example an undefined function) wins, as in Go.
 */
import { KEYWORDS, type Keyword, type Token, type TokenType } from './tokens.js';

const LEFT = '{{';
const RIGHT = '}}';
const NO_DELIM = 0;
const DELIM = 1;
const TRIM_DELIM = 2;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

const ALNUM = /[\p{L}\p{Nd}_]/u;

function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) {
    return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  }
  return ALNUM.test(c);
}

/** `- ` right after `{{`: the space is required so that `{{-3}}` still means the number -3. */
function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === '-' && isSpace(s[at + 1]);
}

/** ` -` right before `}}`. */
function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === '-';
}

/** Splits a template source into tokens. Never throws: problems become an `error` token. */
export function lex(src: string): Token[] {
  return new Lexer(src).run();
}

class Lexer {
  readonly #src: string;
  readonly #tokens: Token[] = [];
  #pos = 0;
  #parenDepth = 0;
  /** Offset of the `{{` of the action being lexed, where "unclosed action" is reported. */
  #actionStart = 0;

  constructor(src: string) {
    this.#src = src;
  }

  run(): Token[] {
    try {
      this.#lexText();
      this.#emit('eof', '', this.#src.length);
    } catch (e) {
      if (!(e instanceof LexStop)) throw e;
    }
    return this.#tokens;
  }

  #emit(type: TokenType, val: string, pos: number): void {
    this.#tokens.push({ type, val, pos });
  }

  #fail(message: string, pos: number = this.#pos): never {
    this.#emit('error', message, pos);
    throw new LexStop();
  }

  #lexText(): void {
    const src = this.#src;
    for (;;) {
      const start = this.#pos;
      const at = src.indexOf(LEFT, start);
      if (at < 0) {
        if (start < src.length) this.#emit('text', src.slice(start), start);
        return;
      }
      const trim = hasLeftTrimMarker(src, at + LEFT.length);
      let text = src.slice(start, at);
      if (trim) text = trimRightSpace(text);
      if (text.length > 0) this.#emit('text', text, start);
      this.#pos = at + LEFT.length;
      const afterMarker = trim ? 2 : 0;
      if (src.startsWith('/*', this.#pos + afterMarker)) {
        this.#pos += afterMarker;
        this.#lexComment();
      } else {
        this.#emit('leftDelim', LEFT, at);
        this.#actionStart = at;
        this.#pos += afterMarker;
        this.#parenDepth = 0;
        this.#lexInsideAction();
      }
    }
  }

  /** After a right delimiter with a trim marker, skips the whitespace that follows. */
  #skipLeadingSpace(): void {
    while (isSpace(this.#src[this.#pos])) this.#pos++;
  }

  /** At the current position: NO_DELIM, DELIM (`}}`) or TRIM_DELIM (` -}}`). */
  #atRightDelim(): number {
    const src = this.#src;
    const at = this.#pos;
    if (src.charCodeAt(at) === 125 && src.charCodeAt(at + 1) === 125) return DELIM;
    if (hasRightTrimMarker(src, at) && src.startsWith(RIGHT, at + 2)) return TRIM_DELIM;
    return NO_DELIM;
  }

  #lexComment(): void {
    const start = this.#pos;
    const end = this.#src.indexOf('*/', this.#pos + 2);
    if (end < 0) this.#fail('unclosed comment', start);
    this.#pos = end + 2;
    const delim = this.#atRightDelim();
    if (delim === NO_DELIM) this.#fail('comment ends before closing delimiter');
    const trim = delim === TRIM_DELIM;
    this.#pos += (trim ? 2 : 0) + RIGHT.length;
    if (trim) this.#skipLeadingSpace();
  }

  /** The `}}` (or ` -}}`, which also eats the space after it) that ends an action. */
  #closeAction(trim: boolean): void {
    if (this.#parenDepth !== 0) this.#fail('unclosed left paren');
    const at = this.#pos + (trim ? 2 : 0);
    this.#emit('rightDelim', RIGHT, at);
    this.#pos = at + RIGHT.length;
    if (trim) this.#skipLeadingSpace();
  }

  #lexInsideAction(): void {
    const src = this.#src;
    for (;;) {
      const delim = this.#atRightDelim();
      if (delim !== NO_DELIM) {
        this.#closeAction(delim === TRIM_DELIM);
        return;
      }
      const start = this.#pos;
      const c = src[this.#pos];
      if (c === undefined) this.#fail('unclosed action', this.#actionStart);
      if (isSpace(c)) {
        this.#lexSpace();
        continue;
      }
      this.#pos++;
      switch (c) {
        case '=':
          this.#emit('assign', '=', start);
          continue;
        case ':':
          if (src[this.#pos] !== '=') this.#fail('expected :=');
          this.#pos++;
          this.#emit('declare', ':=', start);
          continue;
        case '|':
          this.#emit('pipe', '|', start);
          continue;
        case '"':
          this.#lexQuote(start);
          continue;
        case '`':
          this.#lexRawQuote(start);
          continue;
        case '$':
          this.#lexFieldOrVariable('variable', start);
          continue;
        case "'":
          this.#lexChar(start);
          continue;
        case '(':
          this.#emit('leftParen', '(', start);
          this.#parenDepth++;
          continue;
        case ')':
          this.#parenDepth--;
          if (this.#parenDepth < 0) this.#fail('unexpected right paren', start);
          this.#emit('rightParen', ')', start);
          continue;
        default:
          break;
      }
      if (c === '.') {
        const next = src[this.#pos];
        if (next === undefined || next < '0' || next > '9') {
          this.#lexFieldOrVariable('field', start);
          continue;
        }
      }
      if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        this.#pos = start;
        this.#lexNumber();
        continue;
      }
      if (isAlphaNumeric(c)) {
        this.#pos = start;
        this.#lexIdentifier();
        continue;
      }
      const code = c.charCodeAt(0);
      if (code > 32 && code < 127) {
        this.#emit('char', c, start);
        continue;
      }
      this.#fail(`unrecognized character in action: ${describeRune(src.codePointAt(start) ?? code)}`, start);
    }
  }

  #lexSpace(): void {
    const src = this.#src;
    const start = this.#pos;
    while (isSpace(src[this.#pos])) this.#pos++;
    // The last space may belong to a ` -}}` trim marker; leave it for the delimiter check.
    if (src[this.#pos] === '-' && src.startsWith(RIGHT, this.#pos + 1)) {
      this.#pos--;
      if (this.#pos === start) return;
    }
    this.#emit('space', src.slice(start, this.#pos), start);
  }

  #atTerminator(): boolean {
    const c = this.#src[this.#pos];
    if (c === undefined || isSpace(c)) return true;
    if (c === '.' || c === ',' || c === '|' || c === ':' || c === ')' || c === '(') return true;
    return this.#atRightDelim() !== NO_DELIM;
  }

  #badCharacter(): never {
    const code = this.#src.codePointAt(this.#pos) ?? 0;
    this.#fail(`bad character ${describeRune(code)}`);
  }

  #lexFieldOrVariable(type: 'field' | 'variable', start: number): void {
    if (this.#atTerminator()) {
      this.#emit(type === 'variable' ? 'variable' : 'dot', this.#src.slice(start, this.#pos), start);
      return;
    }
    while (isAlphaNumeric(this.#src[this.#pos])) this.#pos++;
    if (!this.#atTerminator()) this.#badCharacter();
    this.#emit(type, this.#src.slice(start, this.#pos), start);
  }

  #lexIdentifier(): void {
    const start = this.#pos;
    while (isAlphaNumeric(this.#src[this.#pos])) this.#pos++;
    if (!this.#atTerminator()) this.#badCharacter();
    const word = this.#src.slice(start, this.#pos);
    if (KEYWORDS.has(word)) this.#emit(word as Keyword, word, start);
    else if (word === 'nil') this.#emit('nil', word, start);
    else if (word === 'true' || word === 'false') this.#emit('bool', word, start);
    else this.#emit('identifier', word, start);
  }

  #lexQuote(start: number): void {
    this.#lexEscaped(start, '"', 'string', 'unterminated quoted string');
  }

  /** A "..." string or a '.' character constant: backslash escapes anything but a newline. */
  #lexEscaped(start: number, close: string, kind: 'string' | 'charConstant', unterminated: string): void {
    const src = this.#src;
    for (;;) {
      const c = src[this.#pos++];
      if (c === '\\') {
        const n = src[this.#pos++];
        if (n !== undefined && n !== '\n') continue;
        this.#fail(unterminated, start);
      }
      if (c === undefined || c === '\n') this.#fail(unterminated, start);
      if (c === close) break;
    }
    this.#emit(kind, src.slice(start, this.#pos), start);
  }

  #lexRawQuote(start: number): void {
    const end = this.#src.indexOf('`', this.#pos);
    if (end < 0) this.#fail('unterminated raw quoted string', start);
    this.#pos = end + 1;
    this.#emit('rawString', this.#src.slice(start, this.#pos), start);
  }

  #lexChar(start: number): void {
    this.#lexEscaped(start, "'", 'charConstant', 'unterminated character constant');
  }

  #accept(chars: string): boolean {
    const c = this.#src[this.#pos];
    if (c !== undefined && chars.includes(c)) {
      this.#pos++;
      return true;
    }
    return false;
  }

  #acceptRun(chars: string): void {
    while (this.#accept(chars));
  }

  /** Go's scanNumber: a permissive scan; the parser decides whether the text is a valid number. */
  #lexNumber(): void {
    const start = this.#pos;
    this.#accept('+-');
    let digits = '0123456789_';
    if (this.#accept('0')) {
      if (this.#accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.#accept('oO')) digits = '01234567_';
      else if (this.#accept('bB')) digits = '01_';
    }
    this.#acceptRun(digits);
    if (this.#accept('.')) this.#acceptRun(digits);
    if (digits.length === 11 && this.#accept('eE')) {
      this.#accept('+-');
      this.#acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.#accept('pP')) {
      this.#accept('+-');
      this.#acceptRun('0123456789_');
    }
    this.#accept('i');
    if (isAlphaNumeric(this.#src[this.#pos])) {
      this.#pos++;
      this.#fail(`bad number syntax: ${JSON.stringify(this.#src.slice(start, this.#pos))}`, start);
    }
    this.#emit('number', this.#src.slice(start, this.#pos), start);
  }
}

class LexStop extends Error {}

function trimRightSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s[end - 1])) end--;
  return s.slice(0, end);
}

/** Go's `%#U`: `U+0041 'A'`. */
export function describeRune(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} '${String.fromCodePoint(code)}'`;
}
