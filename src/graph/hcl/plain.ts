/**
 * `toPlain`: the structure HCL v1's `hcl.Unmarshal(src, &interface{})` builds, serialised the way
 * Go's encoding/json does (map keys sorted). It exists so our tree can be compared with the
 * js-hcl-parser oracle, and it reproduces the decoder's rules rather than an idealised mapping:
 * - the root and objects directly inside lists become maps; every other object becomes a list of maps;
 * - `a "b" { }` groups all items whose first key matches `a` (case-insensitively, Go's EqualFold);
 * - a repeated key decodes into the value already there: lists and blocks append, scalars are
 *   converted to the existing type (`x = "a"` then `x = 1` gives "1"), or the decode fails.
 * Decode failures throw CNV_ERR_HCL_PARSE at the offending value.
 */
import { positionedError } from '../../errors.js';
import type { HclFile, HclItem, HclValue, Position } from './ast.js';

/** A Go value with its static type, so later decodes into it follow Go's reflection rules. */
type GoValue =
  | { readonly k: 'int'; v: number }
  | { readonly k: 'float'; v: number }
  | { readonly k: 'string'; v: string }
  | { readonly k: 'bool'; v: boolean }
  | { readonly k: 'map'; readonly v: Map<string, GoValue> }
  | { readonly k: 'slice'; readonly elem: 'map' | 'any'; readonly v: GoValue[] };

/** The node kinds the Go decoder distinguishes. */
type Node =
  | { readonly n: 'list-of-items'; readonly items: readonly HclItem[]; readonly pos: Position }
  | { readonly n: 'item'; readonly item: HclItem }
  | { readonly n: 'value'; readonly value: HclValue };

function fail(pos: Position, message: string): never {
  throw positionedError('CNV_ERR_HCL_PARSE', pos, message);
}

function nodePos(node: Node): Position {
  if (node.n === 'list-of-items') return node.pos;
  if (node.n === 'item') return node.item.pos;
  return node.value.pos;
}

function literalText(v: HclValue): string {
  if (v.type === 'number') return v.raw;
  if (v.type === 'bool') return v.value ? 'true' : 'false';
  if (v.type === 'string') return v.value;
  return '';
}

/**
 * strconv.ParseInt(s, 0, 64) of the Go release the original was built with (before Go 1.13: no 0b,
 * 0o or underscores), which also decides `x = 1` followed by `x = "0x10"`.
 */
function parseGoInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2] ?? '';
  let big: bigint;
  if (body.length > 2 && (body[1] === 'x' || body[1] === 'X')) big = BigInt(`0x${body.slice(2)}`);
  else if (body.length > 1 && body[0] === '0') big = BigInt(`0o${body.slice(1)}`);
  else big = BigInt(body);
  if (m[1] === '-') big = -big;
  if (big > 2n ** 63n - 1n || big < -(2n ** 63n)) return undefined;
  const n = Number(big);
  return n === 0 ? 0 : n;
}

const GO_BOOLS: Record<string, boolean> = {
  1: true, t: true, T: true, TRUE: true, true: true, True: true,
  0: false, f: false, F: false, FALSE: false, false: false, False: false,
};

class Decoder {
  /** Kinds of the containers being decoded into (Go's decoder stack). */
  readonly #stack: string[] = [];

  decodeInto(name: string, node: Node, existing: GoValue | undefined): GoValue {
    if (existing === undefined) return this.#fresh(name, node);
    this.#stack.push(existing.k);
    try {
      return this.#into(name, node, existing);
    } finally {
      this.#stack.pop();
    }
  }

  /** decodeInterface: pick a Go type from the node, then decode into it. */
  #fresh(name: string, node: Node): GoValue {
    let target: GoValue;
    const top = this.#stack[this.#stack.length - 1];
    const objectish =
      node.n === 'list-of-items' || (node.n === 'value' && node.value.type === 'object');
    if (objectish) {
      target = top === undefined || top === 'slice' ? { k: 'map', v: new Map() } : { k: 'slice', elem: 'map', v: [] };
    } else if (node.n === 'value') {
      const v = node.value;
      switch (v.type) {
        case 'list':
          target = { k: 'slice', elem: 'any', v: [] };
          break;
        case 'bool':
          return { k: 'bool', v: v.value };
        case 'string':
          return { k: 'string', v: v.value };
        case 'number':
          return v.float ? { k: 'float', v: v.value } : { k: 'int', v: v.value };
        default:
          return fail(v.pos, `${name}: cannot decode into interface`);
      }
    } else {
      return fail(nodePos(node), `${name}: cannot decode an object item into interface`);
    }
    return this.decodeInto(name, node, target);
  }

  #into(name: string, node: Node, target: GoValue): GoValue {
    const lit = node.n === 'value' && node.value.type !== 'list' && node.value.type !== 'object' ? node.value : undefined;
    const pos = nodePos(node);
    switch (target.k) {
      case 'map':
        this.#decodeMap(name, node, target.v);
        return target;
      case 'slice':
        this.#decodeSlice(name, node, target);
        return target;
      case 'int': {
        if (lit?.type === 'number' && !lit.float) {
          const n = parseGoInt(lit.raw);
          return n === undefined ? fail(pos, `invalid integer ${lit.raw}`) : { k: 'int', v: n };
        }
        if (lit?.type === 'string' && !lit.heredoc) {
          const n = parseGoInt(lit.value);
          return n === undefined ? fail(pos, `${name}: cannot read ${JSON.stringify(lit.value)} as an integer`) : { k: 'int', v: n };
        }
        return fail(pos, `${name}: expected an integer (the key was first set to one)`);
      }
      case 'float': {
        if (lit?.type === 'number' && !/^-?0[xX]/.test(lit.raw)) return { k: 'float', v: Number(lit.raw) };
        return fail(pos, `${name}: expected a number (the key was first set to a float)`);
      }
      case 'string':
        if (lit) return { k: 'string', v: literalText(lit) };
        return fail(pos, `${name}: expected a string (the key was first set to one)`);
      case 'bool': {
        const text = lit?.type === 'bool' || lit?.type === 'number' ? literalText(lit) : lit?.type === 'string' && !lit.heredoc ? lit.value : undefined;
        const b = text === undefined ? undefined : GO_BOOLS[text];
        return b === undefined ? fail(pos, `${name}: expected a bool (the key was first set to one)`) : { k: 'bool', v: b };
      }
    }
  }

  #decodeMap(name: string, node: Node, out: Map<string, GoValue>): void {
    let items: readonly HclItem[];
    if (node.n === 'item') items = [node.item];
    else if (node.n === 'list-of-items') items = node.items;
    else if (node.value.type === 'object') items = node.value.items;
    else return fail(node.value.pos, `${name}: expected an object`);
    const done = new Set<string>();
    for (const item of items) {
      const first = item.keys[0];
      if (first === undefined) return fail(item.pos, `${name}: a block needs a key`);
      const key = first.name;
      if (done.has(key)) continue;
      let sub: Node = { n: 'value', value: item.value };
      if (item.keys.length > 1) {
        sub = { n: 'list-of-items', items: filterItems(items, key), pos: item.pos };
        done.add(key);
      }
      out.set(key, this.decodeInto(`${name}.${key}`, sub, out.get(key)));
    }
  }

  #decodeSlice(name: string, node: Node, out: { readonly elem: 'map' | 'any'; readonly v: GoValue[] }): void {
    let parts: Node[];
    if (node.n === 'list-of-items') parts = node.items.map((item) => ({ n: 'item', item }));
    else if (node.n === 'value' && node.value.type === 'object') parts = [node];
    else if (node.n === 'value' && node.value.type === 'list') parts = node.value.items.map((value) => ({ n: 'value', value }));
    else return fail(nodePos(node), `${name}: expected a list or a block`);
    this.#stack.push('slice');
    try {
      parts.forEach((part, i) => {
        const elemName = `${name}[${i}]`;
        out.v.push(out.elem === 'map' ? this.decodeInto(elemName, part, { k: 'map', v: new Map() }) : this.#fresh(elemName, part));
      });
    } finally {
      this.#stack.pop();
    }
  }
}

/** ObjectList.Filter: items whose first key folds to `key`, with that key removed. */
function filterItems(items: readonly HclItem[], key: string): HclItem[] {
  const folded = key.toLowerCase();
  const out: HclItem[] = [];
  for (const item of items) {
    const first = item.keys[0];
    if (first === undefined) continue;
    if (first.name !== key && first.name.toLowerCase() !== folded) continue;
    out.push({ ...item, keys: item.keys.slice(1) });
  }
  return out;
}

function toJs(v: GoValue): unknown {
  switch (v.k) {
    case 'map': {
      // encoding/json writes map keys in byte order; UTF-16 order differs only for astral characters.
      const keys = [...v.v.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = toJs(v.v.get(k) as GoValue);
      return out;
    }
    case 'slice':
      return v.v.map(toJs);
    case 'int':
      return v.v === 0 ? 0 : v.v;
    default:
      return v.v;
  }
}

/** The plain JSON-like structure HCL v1 (and so js-hcl-parser) produces for the same input. */
export function toPlain(file: HclFile): unknown {
  const decoder = new Decoder();
  const root = decoder.decodeInto('root', { n: 'list-of-items', items: file.items, pos: { file: file.file, line: 1, column: 1, offset: 0 } }, undefined);
  return toJs(root);
}
