/**
 * Go text/template's predefined functions. `and` and `or` are listed for arity and name checks but
 * evaluated by the executor, because they short-circuit (Go 1.18+). A builtin reports a problem by
 * throwing; the executor wraps it as `error calling <name>: <problem>`, as Go does.
 */
import { sprint, sprintf, sprintln } from './printf.js';
import { compareGoStrings, GoFloat, goKind, goTypeName, isPlainObject, numberOf } from './values.js';

export interface Builtin {
  /** Fewest arguments accepted. */
  readonly min: number;
  /** Most arguments accepted; Infinity for variadic functions. */
  readonly max: number;
  readonly fn: (args: unknown[]) => unknown;
}

/** Go's truth: false, 0, nil, empty string/list/map (and no value) are false; anything else is true. */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case 'undefined':
      return false;
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
    case 'function':
      return true;
    default:
      break;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoFloat) return v.value !== 0;
  if (isPlainObject(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

const errBadComparison = 'incompatible types for comparison';
const errBadComparisonType = 'invalid type for comparison';
const errNoComparison = 'missing argument for comparison';

type BasicKind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function basicKind(v: unknown): BasicKind {
  const k = goKind(v);
  if (k === 'int' || k === 'float64') return 'number';
  if (k === 'bool' || k === 'string') return k;
  if (k === 'invalid' || k === 'nil') return 'nil';
  return 'other';
}

/**
 * `eq a b c...`: true when a equals any of the others. Go refuses to compare different basic kinds
 * (int vs string), but treats nil against anything as simply unequal. Ints and floats compare by value
 * here, because JS does not keep them apart.
 */
function eq(args: unknown[]): boolean {
  const [a, ...rest] = args;
  if (rest.length === 0) throw new Error(errNoComparison);
  const ka = basicKind(a);
  for (const b of rest) {
    const kb = basicKind(b);
    if (ka !== kb) {
      if (ka !== 'nil' && kb !== 'nil') throw new Error(errBadComparison);
      continue;
    }
    if (ka === 'other') {
      if (Array.isArray(a) || Array.isArray(b) || isPlainObject(a) || isPlainObject(b)) {
        throw new Error(`non-comparable type ${goTypeName(Array.isArray(a) || isPlainObject(a) ? a : b)}`);
      }
    }
    if (ka === 'nil' || (ka === 'number' ? numberOf(a) === numberOf(b) : a === b)) return true;
  }
  return false;
}

function lt(args: unknown[]): boolean {
  const [a, b] = args;
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other' || ka === 'nil' || kb === 'nil') throw new Error(errBadComparisonType);
  if (ka !== kb) throw new Error(errBadComparison);
  if (ka === 'bool') throw new Error(errBadComparisonType);
  if (ka === 'string') return compareGoStrings(a as string, b as string) < 0;
  return numberOf(a) < numberOf(b);
}

function le(args: unknown[]): boolean {
  return lt(args) || eq(args);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function len(args: unknown[]): number {
  const [v] = args;
  if (v === null || v === undefined) throw new Error('len of nil pointer');
  if (typeof v === 'string') return utf8Length(v);
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new Error(`len of type ${goTypeName(v)}`);
}

function indexArg(i: unknown, cap: number): number {
  if (i === null || i === undefined) throw new Error('cannot index slice/array with nil');
  if (goKind(i) !== 'int') throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
  const x = Number(i);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(args: unknown[]): unknown {
  const [first, ...indexes] = args;
  let item = first;
  if (item === null || item === undefined) throw new Error('index of untyped nil');
  for (const i of indexes) {
    if (item === null || item === undefined) throw new Error('index of nil pointer');
    if (typeof item === 'string') {
      const bytes = Buffer.from(item, 'utf8');
      const x = indexArg(i, bytes.length);
      if (x === bytes.length) throw new Error(`index out of range: ${x}`);
      item = bytes[x];
    } else if (Array.isArray(item)) {
      const x = indexArg(i, item.length);
      if (x === item.length) throw new Error(`index out of range: ${x}`);
      item = item[x] ?? null;
    } else if (isPlainObject(item)) {
      if (typeof i !== 'string') {
        throw new Error(`value has type ${goTypeName(i)}; should be string`);
      }
      item = Object.hasOwn(item, i) ? item[i] : null;
    } else {
      throw new Error(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function slice(args: unknown[]): unknown {
  const [item, ...indexes] = args;
  if (item === null || item === undefined) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let length: number;
  let bytes: Buffer | null = null;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    bytes = Buffer.from(item, 'utf8');
    length = bytes.length;
  } else if (Array.isArray(item)) {
    length = item.length;
  } else {
    throw new Error(`can't slice item of type ${goTypeName(item)}`);
  }
  const idx = [0, length];
  for (let i = 0; i < indexes.length; i++) idx[i] = indexArg(indexes[i], length);
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes !== null) return bytes.subarray(idx[0], idx[1]).toString('utf8');
  return (item as unknown[]).slice(idx[0], idx[1]);
}

/**
 * The text html/js/urlquery escape: a lone string argument as is, otherwise fmt.Sprint of all, where
 * Go's template prints nil operands as `<no value>` (not fmt's `<nil>`).
 */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\0': '\uFFFD',
};

export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c]!);
}

const JS_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const simple = JS_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || cp === 0x20 || !NOT_PRINTABLE.test(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function call(args: unknown[]): unknown {
  const [fn, ...rest] = args;
  if (fn === null || fn === undefined) throw new Error('call of nil');
  if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...rest.map((a) => (a instanceof GoFloat ? a.value : a)));
}

const V = Number.POSITIVE_INFINITY;

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  and: { min: 1, max: V, fn: () => undefined },
  or: { min: 1, max: V, fn: () => undefined },
  not: { min: 1, max: 1, fn: (a) => !isTrue(a[0]) },
  len: { min: 1, max: 1, fn: len },
  index: { min: 1, max: V, fn: index },
  slice: { min: 1, max: V, fn: slice },
  call: { min: 1, max: V, fn: call },
  eq: { min: 1, max: V, fn: eq },
  ne: { min: 2, max: 2, fn: (a) => !eq(a) },
  lt: { min: 2, max: 2, fn: lt },
  le: { min: 2, max: 2, fn: le },
  gt: { min: 2, max: 2, fn: (a) => !le(a) },
  ge: { min: 2, max: 2, fn: (a) => !lt(a) },
  print: { min: 0, max: V, fn: sprint },
  println: { min: 0, max: V, fn: sprintln },
  printf: {
    min: 1,
    max: V,
    fn: (a) => {
      if (typeof a[0] !== 'string') throw new Error(`wrong type for value; expected string; got ${goTypeName(a[0])}`);
      return sprintf(a[0], a.slice(1));
    },
  },
  html: { min: 0, max: V, fn: (a) => htmlEscape(evalArgs(a)) },
  js: { min: 0, max: V, fn: (a) => jsEscape(evalArgs(a)) },
  urlquery: { min: 0, max: V, fn: (a) => queryEscape(evalArgs(a)) },
};
