/**
 * A single-pass HCL v1 scanner over UTF-16 char codes. It follows HashiCorp's HCL v1 scanner
 * (hcl/scanner) token for token, so that what it accepts and rejects matches the original's parser.
 * The lexer never allocates per character: it keeps the current token in fields, and the parser
 * reads them and calls `next()`.
 *
 * Over the size rule (a parser): next() is one dispatch on the first character of every token, in the
 * order of HashiCorp's Scan(), so that each case can be checked against it.
 */
import { positionedError } from '../../errors.js';
import type { Position } from './ast.js';
import {
  CH_BACKSLASH, CH_COMMA, CH_CR, CH_DOLLAR, CH_DOT, CH_EQ, CH_HASH, CH_LBRACE, CH_LBRACK, CH_LF, CH_LT, CH_MINUS,
  CH_PLUS, CH_QUOTE, CH_RBRACE, CH_RBRACK, CH_SLASH, CH_SPACE, CH_STAR, CH_TAB, CH_0, CH_7, NON_ASCII_DIGIT,
  NON_ASCII_LETTER, Tok, closesHeredoc, fraction, isAsciiLetter, isDecimal, isHex, isUnicodeAt, scanNumber,
  type TokKind,
} from './chars.js';
import { groupComments, type CommentGroup, type HclComment } from './comments.js';

export { Tok, type TokKind } from './chars.js';
export type { CommentGroup, HclComment } from './comments.js';

export class Lexer {
  readonly file: string;
  readonly src: string;
  /** Comments in source order, for `fmt`. */
  readonly comments: HclComment[] = [];
  /** The same comments in HCL v1's groups (adjacent comments form one group). */
  readonly groups: CommentGroup[] = [];
  /** Kind, start/end offsets and 1-based line/column of the current token. */
  kind: TokKind = Tok.EOF;
  start = 0;
  end = 0;
  line = 1;
  column = 1;
  /**
   * HCL v1's pending comment slots. A lead comment is a group ending on the line just above the
   * next token; a line comment is a group starting on the previous token's line and followed by a
   * line break. The parser is one token ahead of HCL v1's, so the line slot is kept both as it was
   * before the last `next()` and after it.
   */
  lead: CommentGroup | undefined;
  lineBefore: CommentGroup | undefined;
  lineAfter: CommentGroup | undefined;
  /** Set for STRING tokens that contain a backslash (the value needs unquoting). */
  escaped = false;

  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #astral = false;

  constructor(src: string, file: string) {
    this.file = file;
    this.src = src;
    for (let i = 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) {
        this.#astral = true;
        break;
      }
    }
    this.next();
  }

  /** The position of the current token. */
  pos(): Position {
    return { file: this.file, line: this.line, column: this.column, offset: this.start };
  }

  /** The raw text of the current token. */
  text(): string {
    return this.src.slice(this.start, this.end);
  }

  /** The position of an arbitrary offset on the current line-tracking state (used for errors). */
  #posAt(offset: number): Position {
    return { file: this.file, line: this.#line, column: this.#col(offset, this.#lineStart), offset };
  }

  #col(offset: number, lineStart: number): number {
    if (!this.#astral) return offset - lineStart + 1;
    // Columns count characters, so a surrogate pair is one column.
    let col = 1;
    for (let i = lineStart; i < offset; i++) {
      const c = this.src.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) col++;
    }
    return col;
  }

  fail(message: string, pos: Position = this.pos(), details?: Record<string, unknown>): never {
    throw positionedError('CNV_ERR_HCL_PARSE', pos, message, { offset: pos.offset, ...details });
  }

  #newline(at: number): void {
    this.#line++;
    this.#lineStart = at + 1;
  }

  /** Advances to the next token, skipping whitespace and collecting comments. */
  next(): void {
    const src = this.src;
    const n = src.length;
    const prevLine = this.kind === Tok.EOF && this.end === 0 ? 0 : this.line;
    this.lineBefore = this.lineAfter;
    const firstComment = this.comments.length;
    let i = this.#pos;
    for (;;) {
      if (i >= n) break;
      const c = src.charCodeAt(i);
      if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
        i++;
      } else if (c === CH_LF) {
        this.#newline(i);
        i++;
      } else if (c === CH_HASH || c === CH_SLASH) {
        i = this.#comment(i);
      } else {
        break;
      }
    }
    this.start = i;
    this.line = this.#line;
    this.column = this.#col(i, this.#lineStart);
    this.escaped = false;
    if (this.comments.length > firstComment) {
      this.#groupComments(firstComment, prevLine, i >= n ? -2 : src.charCodeAt(i));
    }
    if (i >= n) {
      this.kind = Tok.EOF;
      this.end = this.#pos = i;
      return;
    }
    const c = src.charCodeAt(i);
    let kind: TokKind;
    let j = i + 1;
    switch (c) {
      case CH_LBRACE:
        kind = Tok.LBRACE;
        break;
      case CH_RBRACE:
        kind = Tok.RBRACE;
        break;
      case CH_LBRACK:
        kind = Tok.LBRACK;
        break;
      case CH_RBRACK:
        kind = Tok.RBRACK;
        break;
      case CH_COMMA:
        kind = Tok.COMMA;
        break;
      case CH_EQ:
        kind = Tok.ASSIGN;
        break;
      case CH_PLUS:
        kind = Tok.ADD;
        break;
      case CH_QUOTE:
        kind = Tok.STRING;
        j = this.#string(i);
        break;
      case CH_LT:
        kind = Tok.HEREDOC;
        j = this.#heredoc(i);
        break;
      case CH_DOT:
        if (isDecimal(src.charCodeAt(j))) {
          kind = Tok.FLOAT;
          j = fraction(src, i);
        } else {
          kind = Tok.PERIOD;
        }
        break;
      case CH_MINUS:
        if (isDecimal(src.charCodeAt(j))) {
          [kind, j] = this.#number(j);
        } else {
          kind = Tok.SUB;
        }
        break;
      default:
        if (isDecimal(c)) {
          [kind, j] = this.#number(i);
        } else if (isAsciiLetter(c) || (c >= 0x80 && this.#isUnicode(i, NON_ASCII_LETTER))) {
          j = this.#ident(i);
          kind = Tok.IDENT;
          const len = j - i;
          if (len === 4 && src.startsWith('true', i)) kind = Tok.BOOL;
          else if (len === 5 && src.startsWith('false', i)) kind = Tok.BOOL;
        } else {
          this.fail(`illegal character ${JSON.stringify(String.fromCodePoint(src.codePointAt(i) ?? c))}`);
        }
    }
    this.kind = kind;
    this.end = this.#pos = j;
  }

  /** HCL v1's scan(): split the comments before the current token into line and lead groups. */
  #groupComments(from: number, prevLine: number, nextChar: number): void {
    const found = groupComments(this.comments, from, prevLine, this.line, nextChar === CH_RBRACE || nextChar === CH_RBRACK);
    this.groups.push(...found.groups);
    if (found.line) this.lineAfter = found.line;
    if (found.lead) this.lead = found.lead;
  }

  /** Takes the line comment that was pending before the last `next()`. */
  takeLineBefore(): CommentGroup | undefined {
    const g = this.lineBefore;
    if (g === undefined) return undefined;
    if (this.lineAfter === g) this.lineAfter = undefined;
    this.lineBefore = undefined;
    return g;
  }

  /** Takes the line comment pending now. */
  takeLineAfter(): CommentGroup | undefined {
    const g = this.lineAfter;
    this.lineAfter = undefined;
    if (this.lineBefore === g) this.lineBefore = undefined;
    return g;
  }

  takeLead(): CommentGroup | undefined {
    const g = this.lead;
    this.lead = undefined;
    return g;
  }

  #isUnicode(i: number, re: RegExp): boolean {
    return isUnicodeAt(this.src, i, re);
  }

  #number(i: number): [TokKind, number] {
    const scan = scanNumber(this.src, i);
    if (scan.error !== undefined) return this.fail(scan.error, this.#posAt(scan.at));
    return [scan.kind, scan.end];
  }

  #ident(i: number): number {
    const src = this.src;
    const n = src.length;
    let j = i;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (isAsciiLetter(c) || isDecimal(c) || c === CH_MINUS || c === CH_DOT) {
        j++;
      } else if (c >= 0x80 && (this.#isUnicode(j, NON_ASCII_LETTER) || this.#isUnicode(j, NON_ASCII_DIGIT))) {
        j += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      } else {
        break;
      }
    }
    return j;
  }

  /**
   * A quoted string. Inside `${ ... }` quotes do not end the string and newlines are allowed (HCL v1
   * rule); escapes are checked everywhere even though interpolations keep them verbatim.
   */
  #string(i: number): number {
    const src = this.src;
    const n = src.length;
    let j = i + 1;
    let braces = 0;
    for (;;) {
      if (j >= n) this.fail('string literal not terminated: expected \'"\' but found end of file', this.pos());
      const c = src.charCodeAt(j);
      if (c === CH_LF) {
        if (braces === 0) this.fail('string literal not terminated: expected \'"\' but found end of line', this.#posAt(j));
        this.#newline(j);
      } else if (c === CH_QUOTE && braces === 0) {
        return j + 1;
      } else if (c === CH_DOLLAR && braces === 0 && src.charCodeAt(j + 1) === CH_LBRACE) {
        braces = 1;
        j++;
      } else if (braces > 0 && c === CH_LBRACE) {
        braces++;
      } else if (braces > 0 && c === CH_RBRACE) {
        braces--;
      } else if (c === CH_BACKSLASH) {
        this.escaped = true;
        j = this.#escape(j);
        continue;
      }
      j++;
    }
  }

  /** Validates one escape at `i` (the backslash); returns the offset after it. */
  #escape(i: number): number {
    const src = this.src;
    const c = src.charCodeAt(i + 1);
    let digits = 0;
    let base = 16;
    let j = i + 2;
    switch (c) {
      case 97: case 98: case 102: case 110: case 114: case 116: case 118: case CH_BACKSLASH: case CH_QUOTE:
        return j;
      case 120: digits = 2; break; // \xHH
      case 117: digits = 4; break; // \uHHHH
      case 85: digits = 8; break; // \UHHHHHHHH
      default:
        if (c >= CH_0 && c <= CH_7) {
          digits = 3;
          base = 8;
          j = i + 1;
          break;
        }
        this.fail(`illegal escape sequence "\\${Number.isNaN(c) ? '' : String.fromCharCode(c)}" in string`, this.#posAt(i));
    }
    for (let k = 0; k < digits; k++, j++) {
      const d = src.charCodeAt(j);
      const ok = base === 8 ? d >= CH_0 && d <= CH_7 : isHex(d);
      if (!ok) this.fail(`illegal escape sequence "${src.slice(i, j + 1).replace(/\n/g, '')}": expected ${digits} ${base === 8 ? 'octal' : 'hex'} digits`, this.#posAt(i));
    }
    return j;
  }

  /** `<<EOF` / `<<-EOF`. The anchor must end its line and the closing line must end with a newline. */
  #heredoc(i: number): number {
    const src = this.src;
    const n = src.length;
    if (src.charCodeAt(i + 1) !== CH_LT) this.fail('expected "<<" to start a heredoc', this.pos());
    let j = i + 2;
    const indented = src.charCodeAt(j) === CH_MINUS;
    if (indented) j++;
    const anchorStart = j;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (isAsciiLetter(c) || isDecimal(c) || (c >= 0x80 && (this.#isUnicode(j, NON_ASCII_LETTER) || this.#isUnicode(j, NON_ASCII_DIGIT)))) {
        j += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      } else {
        break;
      }
    }
    const anchor = src.slice(anchorStart, j);
    if (j >= n) this.fail('heredoc not terminated: the anchor must be followed by a newline', this.#posAt(j));
    if (src.charCodeAt(j) !== CH_LF) this.fail(`invalid characters after heredoc anchor "${anchor}": expected end of line`, this.#posAt(j));
    if (anchor.length === 0) this.fail('heredoc anchor is empty: expected a name after "<<"', this.pos());
    // HCL v1 compares the candidate line's length with the anchor *including* the '-', so for <<-EOF a
    // closing line must be at least 4 characters ("EOF" alone at column 1 does not close it).
    const minLen = anchor.length + (indented ? 1 : 0);
    this.#newline(j);
    j++;
    let lineStart = j;
    for (;;) {
      if (j >= n) this.fail(`heredoc not terminated: expected a line "${anchor}" followed by a newline`, this.#posAt(j));
      if (src.charCodeAt(j) === CH_LF) {
        if (j - lineStart >= minLen && closesHeredoc(src, lineStart, j, anchor)) {
          this.#newline(j);
          return j + 1;
        }
        this.#newline(j);
        lineStart = j + 1;
      }
      j++;
    }
  }

  #comment(i: number): number {
    const src = this.src;
    const n = src.length;
    const startPos = this.#posAt(i);
    let j: number;
    if (src.charCodeAt(i) === CH_SLASH && src.charCodeAt(i + 1) === CH_STAR) {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) this.fail('comment not terminated: expected "*/"', startPos);
      j = close + 2;
      for (let k = src.indexOf('\n', i); k >= 0 && k < j; k = src.indexOf('\n', k + 1)) this.#newline(k);
    } else {
      if (src.charCodeAt(i) === CH_SLASH && src.charCodeAt(i + 1) !== CH_SLASH) {
        this.fail('expected "/" for a comment after "/"', startPos);
      }
      const nl = src.indexOf('\n', i);
      j = nl < 0 ? n : nl;
      if (j > i && src.charCodeAt(j - 1) === CH_CR) j--;
    }
    this.comments.push({ text: src.slice(i, j), pos: startPos, endLine: this.#line });
    return j;
  }
}
