/**
 * Recursive-descent parser from tokens to the tree in nodes.ts. The grammar and the checks made at
 * parse time follow Go's text/template/parse: functions must be known (`function "x" not defined`),
 * variables must be declared before use, `{{break}}`/`{{continue}}` only inside `range`, and
 * `{{else if}}` / `{{else with}}` share the one `{{end}}` of the chain.
 */
import type { ErrorCode } from '../../errors.js';
import { limitMessage } from '../limits.js';
import { lex } from './lexer.js';
import { parseNumber, unquoteChar, unquoteString } from './literals.js';
import type { ArgNode, CommandNode, ListNode, Node, PipeNode } from './nodes.js';
import { isKeyword, type Token, type TokenType } from './tokens.js';
import { GoFloat } from './values.js';

/** Thrown by the parser; index.ts turns it into a positioned ConvergeError. */
export class TemplateSyntaxError extends Error {
  readonly offset: number;
  /** Set when a limit, not the syntax, refused the template. */
  readonly code: ErrorCode | undefined;
  constructor(offset: number, message: string, code?: ErrorCode) {
    super(message);
    this.offset = offset;
    this.code = code;
  }
}

type Terminator = { readonly kind: 'end' | 'else'; readonly pos: number };

const OPERAND_START: ReadonlySet<TokenType> = new Set<TokenType>([
  'bool',
  'charConstant',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

/**
 * Parses a template source. `isFunction` answers whether a name can be called; control structures and
 * parentheses may nest `maxNesting` deep (the parser recurses once per level, so this bounds its stack).
 */
export function parseTemplate(src: string, isFunction: (name: string) => boolean, maxNesting = Number.POSITIVE_INFINITY): ListNode {
  return new Parser(lex(src), isFunction, maxNesting).parse();
}

class Parser {
  readonly #tokens: Token[];
  readonly #isFunction: (name: string) => boolean;
  readonly #maxNesting: number;
  #i = 0;
  #vars: string[] = ['$'];
  #rangeDepth = 0;
  #nesting = 0;

  constructor(tokens: Token[], isFunction: (name: string) => boolean, maxNesting: number) {
    this.#tokens = tokens;
    this.#isFunction = isFunction;
    this.#maxNesting = maxNesting;
  }

  /** Enters one level of nesting at `offset`; the caller leaves it with `this.#nesting--`. */
  #enter(offset: number): void {
    if (++this.#nesting > this.#maxNesting) {
      throw new TemplateSyntaxError(offset, limitMessage('nesting', this.#maxNesting), 'CNV_ERR_LIMIT_NESTING');
    }
  }

  parse(): ListNode {
    const root: Node[] = [];
    while (this.#peek().type !== 'eof') {
      const n = this.#textOrAction();
      if (isTerminator(n)) this.#fail(n.pos, `unexpected {{${n.kind}}}`);
      root.push(n);
    }
    return root;
  }

  // --- token stream -------------------------------------------------------------------------------

  #next(): Token {
    // The stream ends with one eof token, handed out again for every read past the end, so that a
    // backup after reading eof lands on the eof again.
    const t = this.#tokens[Math.min(this.#i, this.#tokens.length - 1)]!;
    if (t.type === 'error') this.#fail(t.pos, t.val);
    this.#i++;
    return t;
  }

  #backup(): void {
    this.#i--;
  }

  #peek(): Token {
    const t = this.#tokens[Math.min(this.#i, this.#tokens.length - 1)]!;
    if (t.type === 'error') this.#fail(t.pos, t.val);
    return t;
  }

  #nextNonSpace(): Token {
    let t = this.#next();
    while (t.type === 'space') t = this.#next();
    return t;
  }

  #peekNonSpace(): Token {
    const t = this.#nextNonSpace();
    this.#backup();
    return t;
  }

  #expect(type: TokenType, context: string): Token {
    const t = this.#nextNonSpace();
    if (t.type !== type) this.#unexpected(t, context);
    return t;
  }

  #fail(offset: number, message: string): never {
    throw new TemplateSyntaxError(offset, message);
  }

  #unexpected(t: Token, context: string): never {
    this.#fail(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  // --- structure ----------------------------------------------------------------------------------

  #textOrAction(): Node | Terminator {
    const t = this.#nextNonSpace();
    if (t.type === 'text') return { kind: 'text', text: t.val };
    if (t.type === 'leftDelim') return this.#action();
    this.#unexpected(t, 'input');
  }

  /** Items up to an `{{end}}` or `{{else}}`, which is returned with them. */
  #itemList(): [Node[], Terminator] {
    const list: Node[] = [];
    while (this.#peekNonSpace().type !== 'eof') {
      const n = this.#textOrAction();
      if (isTerminator(n)) return [list, n];
      list.push(n);
    }
    this.#fail(this.#peek().pos, 'unexpected EOF');
  }

  #action(): Node | Terminator {
    const t = this.#nextNonSpace();
    switch (t.type) {
      case 'if':
        return this.#control('if', t.pos);
      case 'with':
        return this.#control('with', t.pos);
      case 'range':
        return this.#control('range', t.pos);
      case 'end':
        this.#expect('rightDelim', 'end');
        return { kind: 'end', pos: t.pos };
      case 'else': {
        // `{{else if ...}}` is read as `{{else}}{{if ...}}`: leave the keyword for #control.
        const peek = this.#peekNonSpace();
        if (peek.type !== 'if' && peek.type !== 'with') this.#expect('rightDelim', 'else');
        return { kind: 'else', pos: t.pos };
      }
      case 'break':
      case 'continue':
        if (this.#rangeDepth === 0) this.#fail(t.pos, `{{${t.type}}} outside {{range}}`);
        this.#expect('rightDelim', `{{${t.type}}}`);
        return { kind: t.type, pos: t.pos };
      case 'block':
      case 'define':
      case 'template':
        return this.#fail(t.pos, `{{${t.type}}} is not supported`);
      default:
        break;
    }
    this.#backup();
    const pos = this.#peek().pos;
    return { kind: 'action', pos, pipe: this.#pipeline('command', 'rightDelim') };
  }

  #control(kind: 'if' | 'with' | 'range', pos: number): Node {
    this.#enter(pos);
    const node = this.#controlBody(kind, pos);
    this.#nesting--;
    return node;
  }

  #controlBody(kind: 'if' | 'with' | 'range', pos: number): Node {
    const mark = this.#vars.length;
    const pipe = this.#pipeline(kind, 'rightDelim');
    if (kind === 'range') this.#rangeDepth++;
    const [list, afterList] = this.#itemList();
    let next = afterList;
    if (kind === 'range') this.#rangeDepth--;
    let elseList: Node[] | null = null;
    if (next.kind === 'else') {
      const peek = this.#peekNonSpace();
      if ((kind === 'if' && peek.type === 'if') || (kind === 'with' && peek.type === 'with')) {
        const keyword = this.#nextNonSpace();
        // The nested control consumes the chain's single {{end}}.
        elseList = [this.#control(kind, keyword.pos)];
      } else {
        [elseList, next] = this.#itemList();
        if (next.kind !== 'end') this.#fail(next.pos, 'expected end; found {{else}}');
      }
    }
    this.#vars.length = mark;
    return kind === 'range' ? { kind, pos, pipe, list, elseList } : { kind, pos, pipe, list, elseList };
  }

  // --- pipelines ----------------------------------------------------------------------------------

  #pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.#peekNonSpace();
    const decl: string[] = [];
    let isAssign = false;
    for (;;) {
      const before = this.#i;
      const v = this.#peekNonSpace();
      if (v.type !== 'variable') {
        this.#i = before;
        break;
      }
      this.#nextNonSpace();
      const next = this.#peekNonSpace();
      if (next.type === 'declare' || next.type === 'assign') {
        this.#nextNonSpace();
        isAssign = next.type === 'assign';
        decl.push(v.val);
        if (isAssign) {
          for (const name of decl) {
            if (!this.#vars.includes(name)) this.#fail(v.pos, `undefined variable "${name}"`);
          }
        } else {
          this.#vars.push(...decl);
        }
        break;
      }
      if (next.type === 'char' && next.val === ',') {
        this.#nextNonSpace();
        decl.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const after = this.#peekNonSpace();
          if (after.type === 'variable' || after.type === 'rightDelim' || after.type === 'rightParen') continue;
          this.#fail(after.pos, 'range can only initialize variables');
        }
        this.#fail(next.pos, `too many declarations in ${context}`);
      }
      // A plain use such as `{{$x}}` or `{{$x | f}}`: rewind so the variable is parsed as an operand.
      this.#i = before;
      break;
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = this.#nextNonSpace();
      if (t.type === end) break;
      if (!OPERAND_START.has(t.type)) this.#unexpected(t, context);
      this.#backup();
      cmds.push(this.#command());
    }
    if (cmds.length === 0) this.#fail(start.pos, `missing value for ${context}`);
    for (let i = 1; i < cmds.length; i++) {
      const first = cmds[i]!.args[0]!;
      if (first.kind === 'bool' || first.kind === 'dot' || first.kind === 'nil' || first.kind === 'number' || first.kind === 'string') {
        this.#fail(first.pos, `non executable command in pipeline stage ${i + 1}`);
      }
    }
    return { pos: start.pos, isAssign, decl, cmds };
  }

  #command(): CommandNode {
    const pos = this.#peekNonSpace().pos;
    const args: ArgNode[] = [];
    for (;;) {
      this.#peekNonSpace();
      const operand = this.#operand();
      if (operand !== null) args.push(operand);
      const t = this.#next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.#backup();
      else if (t.type !== 'pipe') this.#unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.#fail(pos, 'empty command');
    return { pos, args };
  }

  #operand(): ArgNode | null {
    const node = this.#term();
    if (node === null) return null;
    if (this.#peek().type !== 'field') return node;
    const fields: string[] = [];
    while (this.#peek().type === 'field') fields.push(this.#next().val.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos: node.pos, idents: [...node.idents, ...fields] };
      case 'variable':
        return { kind: 'variable', pos: node.pos, name: node.name, idents: [...node.idents, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.#fail(node.pos, `unexpected . after term ${JSON.stringify(argStringShort(node))}`);
      default:
        return { kind: 'chain', pos: node.pos, node, fields };
    }
  }

  #term(): ArgNode | null {
    const t = this.#nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.#isFunction(t.val)) this.#fail(t.pos, `function ${JSON.stringify(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'variable':
        // The lexer ends a variable token at `.`, so `$x.A` arrives as `$x` plus a field token.
        if (!this.#vars.includes(t.val)) this.#fail(t.pos, `undefined variable "${t.val}"`);
        return { kind: 'variable', pos: t.pos, name: t.val, idents: [] };
      case 'field':
        return { kind: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant': {
        const c = unquoteChar(t.val);
        if (!c.ok) this.#fail(t.pos, c.problem);
        return { kind: 'number', pos: t.pos, value: c.value, text: t.val };
      }
      case 'number': {
        const n = parseNumber(t.val);
        if (!n.ok) this.#fail(t.pos, n.problem);
        // Go types `3.0`, `1e6` and `0x1p4` as float64; keep that even though the value is whole.
        const isFloat = /^[+-]?0[xX]/.test(t.val) ? /[pP]/.test(t.val) : /[.eE]/.test(t.val);
        const value = isFloat && Number.isSafeInteger(n.value) ? new GoFloat(n.value) : n.value;
        return { kind: 'number', pos: t.pos, value, text: t.val };
      }
      case 'leftParen': {
        this.#enter(t.pos);
        const pipe = this.#pipeline('parenthesized pipeline', 'rightParen');
        this.#nesting--;
        return { kind: 'pipe', pos: t.pos, pipe };
      }
      case 'string':
      case 'rawString': {
        const s = unquoteString(t.val);
        if (!s.ok) this.#fail(t.pos, s.problem);
        return { kind: 'string', pos: t.pos, value: s.value, text: t.val };
      }
      default:
        this.#backup();
        return null;
    }
  }
}

function isTerminator(n: Node | Terminator): n is Terminator {
  return n.kind === 'end' || n.kind === 'else';
}

function argStringShort(node: ArgNode): string {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.text;
    case 'bool':
      return String(node.value);
    case 'nil':
      return 'nil';
    default:
      return '.';
  }
}

/** Go's item.String() as used in `unexpected X in Y`. */
function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (isKeyword(t.type)) return `<${t.val}>`;
  if (t.val.length > 10) return `${JSON.stringify(t.val.slice(0, 10))}...`;
  return JSON.stringify(t.val);
}
