/**
 * Recursive-descent parser for HCL v1, shaped like HashiCorp's hcl/parser so that it accepts and
 * rejects the same inputs. Two deliberate differences, both where HCL v1 silently accepts broken
 * input (the error then carries `details.hcl1Quirk` so the differential tests can tell them apart):
 * - `key =` at the very end of a file: HCL v1 drops the item; we report the missing value.
 * - an error whose offending token is a `}` inside an object: HCL v1 drops the error and the item,
 *   then treats the *next* token as the object's end (`x { a = } }` parses as `x {}`); we report it.
 * Integers are read in the int64 range as the original (a 64-bit build) did; the GopherJS build of
 * HCL v1 used as a test oracle only reads 32-bit ints.
 */
import { DEFAULT_MAX_NESTING } from '../../defaults.js';
import { limitError } from '../limits.js';
import type { HclFile, HclItem, HclKey, HclValue, Position } from './ast.js';
import { Lexer, Tok, type CommentGroup, type TokKind } from './lexer.js';
import { StringValueError, heredocValue, unquote } from './strings.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function describe(lx: Lexer): string {
  switch (lx.kind) {
    case Tok.EOF:
      return 'end of file';
    case Tok.IDENT:
      return `identifier ${lx.text()}`;
    case Tok.STRING:
      return `string ${shorten(lx.text())}`;
    case Tok.HEREDOC:
      return 'heredoc';
    case Tok.NUMBER:
    case Tok.FLOAT:
      return `number ${lx.text()}`;
    case Tok.BOOL:
      return `bool ${lx.text()}`;
    default:
      return `"${lx.text()}"`;
  }
}

function shorten(s: string): string {
  const one = s.replace(/\n/g, '\\n');
  return one.length > 40 ? `${one.slice(0, 37)}..."` : one;
}

function isLiteral(kind: TokKind): boolean {
  return kind === Tok.STRING || kind === Tok.HEREDOC || kind === Tok.NUMBER || kind === Tok.FLOAT || kind === Tok.BOOL;
}

/** Lead and line comments HCL v1 attaches to an item or a list element (for `fmt`). */
export interface Attached {
  lead?: CommentGroup;
  line?: CommentGroup;
}

/** How far a parse may go: nesting (the parser recurses once per level) and a hook for long inputs. */
export interface HclParseOptions {
  /** Objects and lists nested inside each other. @default DEFAULT_MAX_NESTING (200) */
  readonly maxNesting?: number;
  /** Called for every item and list element; throws to stop the parse (a cancelled run). */
  readonly poll?: () => void;
}

class Parser {
  readonly #lx: Lexer;
  /** How many objects (`{ }`) enclose the current token. */
  #depth = 0;
  /** How many objects and lists enclose the current token. */
  #nesting = 0;
  readonly #maxNesting: number;
  readonly #poll: () => void;
  /** Comment attachments, keyed by the item or list element. */
  readonly attached = new Map<object, Attached>();

  constructor(lx: Lexer, options: HclParseOptions) {
    this.#lx = lx;
    this.#maxNesting = options.maxNesting ?? DEFAULT_MAX_NESTING;
    this.#poll = options.poll ?? noPoll;
  }

  /** Enters an object or list opened at `pos`; the caller leaves with `this.#nesting--`. */
  #enter(pos: Position): void {
    if (++this.#nesting > this.#maxNesting) {
      throw limitError('nesting', this.#maxNesting, pos);
    }
  }

  file(): HclFile {
    const items = this.#objectList(false);
    return { file: this.#lx.file, items, comments: this.#lx.comments };
  }

  #fail(message: string, pos?: Position): never {
    const lx = this.#lx;
    const quirk = this.#depth > 0 && lx.kind === Tok.RBRACE ? { hcl1Quirk: 'swallowed-before-rbrace' } : undefined;
    return lx.fail(message, pos ?? lx.pos(), quirk);
  }

  #objectList(inObject: boolean): HclItem[] {
    const lx = this.#lx;
    const items: HclItem[] = [];
    for (;;) {
      if (inObject && lx.kind === Tok.RBRACE) break;
      this.#poll();
      const item = this.#objectItem();
      if (item === undefined) break;
      items.push(item);
      if (lx.kind === Tok.COMMA) lx.next();
    }
    return items;
  }

  /** One item; undefined at a clean end of file. */
  #objectItem(): HclItem | undefined {
    const lx = this.#lx;
    const keys: HclKey[] = [];
    for (;;) {
      const kind = lx.kind;
      if (kind === Tok.IDENT || kind === Tok.STRING) {
        keys.push(this.#key());
        continue;
      }
      if (kind === Tok.EOF && keys.length === 0) return undefined;
      if (kind === Tok.ASSIGN) {
        if (keys.length === 0) this.#fail('expected a key (identifier or string) before "="');
        if (keys.length > 1) {
          const head = keys.map((k) => k.name).join(' ');
          this.#fail(`expected "{" after block labels "${head}" but found "=" (only a single key can be assigned)`);
        }
        const assignLine = lx.line;
        const lead = lx.takeLead();
        lx.next();
        if (lx.kind === Tok.EOF && this.#depth === 0) {
          lx.fail(`expected a value after "${keys[0]?.name ?? ''} =" on line ${assignLine} but found end of file`, lx.pos(), {
            hcl1Quirk: 'trailing-assign-at-eof',
          });
        }
        const value = this.#value(keys);
        return this.#item(keys, true, value, lead);
      }
      if (kind === Tok.LBRACE) {
        if (keys.length === 0) this.#fail('expected a key (identifier or string) before "{"');
        const lead = lx.takeLead();
        const value = this.#objectType();
        return this.#item(keys, false, value, lead);
      }
      if (keys.length === 0) {
        this.#fail(`expected a key (identifier or string) but found ${describe(lx)}`);
      }
      const head = keys.map((k) => (k.quoted ? JSON.stringify(k.name) : k.name)).join(' ');
      // HCL v1 resets the token here, so this error is never swallowed by an enclosing object.
      lx.fail(`expected "=" or "{" after key ${head} but found ${describe(lx)}`);
    }
  }

  /** Builds an item and picks up its comments the way HCL v1's objectItem does. */
  #item(keys: HclKey[], assign: boolean, value: HclValue, lead: CommentGroup | undefined): HclItem {
    const lx = this.#lx;
    const pos = keys[0]?.pos ?? value.pos;
    let line = lx.takeLineBefore();
    if (value.pos.line === pos.line && lx.lineAfter !== undefined) line = lx.takeLineAfter();
    if (lead === undefined && line === undefined) return { keys, assign, value, pos };
    const item: HclItem = {
      keys,
      assign,
      value,
      pos,
      ...(lead && { leadComment: lead.map((c) => c.text).join('\n') }),
      ...(line && { lineComment: line.map((c) => c.text).join(' ') }),
    };
    this.attached.set(item, { ...(lead && { lead }), ...(line && { line }) });
    return item;
  }

  #key(): HclKey {
    const lx = this.#lx;
    const pos = lx.pos();
    if (lx.kind === Tok.IDENT) {
      const name = lx.text();
      lx.next();
      return { name, quoted: false, pos };
    }
    const raw = lx.text();
    const name = this.#stringValue(pos);
    lx.next();
    return { name, quoted: true, pos, raw };
  }

  #stringValue(pos: Position): string {
    const lx = this.#lx;
    const text = lx.text();
    if (!lx.escaped) return text.slice(1, -1);
    try {
      return unquote(text);
    } catch (error) {
      if (!(error instanceof StringValueError)) throw error;
      const before = text.slice(0, error.at);
      const nl = before.lastIndexOf('\n');
      const line = pos.line + (before.split('\n').length - 1);
      const column = nl < 0 ? pos.column + error.at : error.at - nl;
      return lx.fail(error.message, { file: pos.file, line, column, offset: pos.offset + error.at });
    }
  }

  #value(keys: readonly HclKey[]): HclValue {
    const lx = this.#lx;
    const kind = lx.kind;
    if (isLiteral(kind)) return this.#literal();
    if (kind === Tok.LBRACE) return this.#objectType();
    if (kind === Tok.LBRACK) return this.#listType();
    return this.#fail(`expected a value (string, number, bool, list or object) after "${keys[0]?.name ?? ''} =" but found ${describe(lx)}`);
  }

  #literal(): HclValue {
    const lx = this.#lx;
    const pos = lx.pos();
    const raw = lx.text();
    let value: HclValue;
    switch (lx.kind) {
      case Tok.STRING:
        value = { type: 'string', value: this.#stringValue(pos), pos, raw };
        break;
      case Tok.HEREDOC:
        value = { type: 'string', value: heredocValue(raw), pos, heredoc: true, raw };
        break;
      case Tok.BOOL:
        value = { type: 'bool', value: raw === 'true', pos };
        break;
      case Tok.FLOAT: {
        const n = Number(raw);
        if (Number.isNaN(n)) this.#fail(`invalid number ${raw}: expected digits after the exponent`);
        value = { type: 'number', value: n, raw, pos, float: true };
        break;
      }
      default:
        value = { type: 'number', value: this.#int(raw), raw, pos };
    }
    lx.next();
    return value;
  }

  #int(raw: string): number {
    const negative = raw.charCodeAt(0) === 45;
    const body = negative ? raw.slice(1) : raw;
    const hex = body.length > 2 && (body[1] === 'x' || body[1] === 'X');
    const octal = !hex && body.length > 1 && body[0] === '0';
    if (body.length <= 15) {
      // Exact in a double: no BigInt needed (the common case).
      const n = hex ? Number.parseInt(body.slice(2), 16) : octal ? Number.parseInt(body.slice(1), 8) : Number.parseInt(body, 10);
      return negative && n !== 0 ? -n : n;
    }
    let big: bigint;
    if (hex) big = BigInt(`0x${body.slice(2)}`);
    else if (octal) big = BigInt(`0o${body.slice(1)}`);
    else big = BigInt(body);
    if (negative) big = -big;
    if (big > INT64_MAX || big < INT64_MIN) this.#fail(`integer ${raw} is out of range (64-bit)`);
    const n = Number(big);
    return n === 0 ? 0 : n;
  }

  #objectType(): HclValue {
    const lx = this.#lx;
    const pos = lx.pos();
    this.#enter(pos);
    lx.next();
    this.#depth++;
    const items = this.#objectList(true);
    this.#depth--;
    this.#nesting--;
    if (lx.kind !== Tok.RBRACE) {
      this.#fail(`expected "}" to close the object opened at line ${pos.line}, column ${pos.column} but found ${describe(lx)}`);
    }
    const endPos = lx.pos();
    lx.next();
    return { type: 'object', items, pos, endPos };
  }

  #listType(): HclValue {
    const lx = this.#lx;
    const pos = lx.pos();
    this.#enter(pos);
    lx.next();
    const items: HclValue[] = [];
    let needComma = false;
    for (;;) {
      this.#poll();
      const kind = lx.kind;
      if (needComma && kind !== Tok.COMMA && kind !== Tok.RBRACK) {
        this.#fail(`expected "," or "]" in the list opened at line ${pos.line}, column ${pos.column} but found ${describe(lx)}`);
      }
      if (isLiteral(kind)) {
        const lead = lx.takeLead();
        const literal = this.#literal();
        if (lead) this.attached.set(literal, { lead });
        items.push(literal);
        needComma = true;
      } else if (kind === Tok.COMMA) {
        lx.next();
        const last = items[items.length - 1];
        if (lx.lineAfter !== undefined && last !== undefined && last.type !== 'list' && last.type !== 'object') {
          const line = lx.takeLineAfter();
          const seen = this.attached.get(last);
          if (seen) seen.line = line;
          else this.attached.set(last, { ...(line && { line }) });
        }
        needComma = false;
      } else if (kind === Tok.LBRACE) {
        items.push(this.#objectType());
        needComma = true;
      } else if (kind === Tok.LBRACK) {
        // HCL v1 does not require a comma after a nested list (`[[1] [2]]` is accepted); kept as is.
        items.push(this.#listType());
      } else if (kind === Tok.RBRACK) {
        const endPos = lx.pos();
        lx.next();
        this.#nesting--;
        return { type: 'list', items, pos, endPos };
      } else {
        this.#fail(`expected a value, "," or "]" in the list opened at line ${pos.line}, column ${pos.column} but found ${describe(lx)}`);
      }
    }
  }
}

/** Parses HCL v1 source. Throws ConvergeError CNV_ERR_HCL_PARSE with file:line:column. */
export function parse(source: string, file: string, options: HclParseOptions = {}): HclFile {
  return parseWithComments(source, file, options).file;
}

/** Like parse, also returning HCL v1's comment attachments (for `fmt`). */
export function parseWithComments(
  source: string,
  file: string,
  options: HclParseOptions = {},
): { file: HclFile; attached: Map<object, Attached>; groups: readonly CommentGroup[] } {
  // HCL v1 normalises CRLF to LF before scanning; so do we (offsets refer to the normalised text).
  const src = source.includes('\r\n') ? source.replace(/\r\n/g, '\n') : source;
  const lexer = new Lexer(src, file);
  const parser = new Parser(lexer, options);
  let tree = parser.file();
  if (lexer.groups.length > 0) {
    const used = new Set<CommentGroup>();
    for (const a of parser.attached.values()) {
      if (a.lead) used.add(a.lead);
      if (a.line) used.add(a.line);
    }
    const dangling = lexer.groups.filter((g) => !used.has(g)).flat().map((c) => ({ text: c.text, pos: c.pos }));
    tree = { ...tree, danglingComments: dangling };
  }
  return { file: tree, attached: parser.attached, groups: lexer.groups };
}

function noPoll(): void {}
