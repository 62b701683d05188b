/**
 * How JS values stand in for Go values inside templates, and how Go prints them with `%v`.
 *
 * - string, boolean: Go string, bool.
 * - number: a safe integer is a Go `int`; anything else (fractions, huge values, NaN, ±Inf) is a
 *   `float64`. Go keeps the two apart by type; JS cannot, so a whole float that arrives as data (an
 *   HCL `2.0`) behaves as the int 2. Float literals in the template keep their type (GoFloat).
 * - null: a Go nil; undefined: Go's "no value" (a missing map key, or no dot at all).
 * - arrays: `[]interface {}`; plain objects (prototype Object.prototype or null): `map[string]interface {}`.
 * - any other object (a class instance, such as what `platform` returns): a pointer to a Go struct,
 *   whose fields are its enumerable own properties in definition order and whose methods are its
 *   functions (own or inherited).
 */
import { formatFloat } from './floats.js';

/**
 * A float64 literal whose value is whole (`3.0`, `1e6`). As a bare JS number it would pass for an int
 * and print as one; wrapped, it formats as Go formats a float64. Only literals are wrapped, and user
 * functions receive plain numbers.
 */
export class GoFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** The numeric value of a number or a GoFloat. */
export function numberOf(v: unknown): number {
  return v instanceof GoFloat ? v.value : (v as number);
}

export type GoKind = 'invalid' | 'nil' | 'bool' | 'int' | 'float64' | 'string' | 'slice' | 'map' | 'struct' | 'func';

export function goKind(v: unknown): GoKind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isSafeInteger(v) ? 'int' : 'float64';
    case 'bigint':
      return 'int';
    case 'function':
      return 'func';
    default:
      break;
  }
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoFloat) return 'float64';
  return isPlainObject(v) ? 'map' : 'struct';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Go's name for the dynamic type of a value, as `%T` and error messages print it. */
export function goTypeName(v: unknown): string {
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'struct': {
      const name = (v as object).constructor?.name;
      return name ? `*${name}` : 'struct {}';
    }
    case 'func':
      return 'func(...interface {}) (interface {}, error)';
    default:
      return goKind(v);
  }
}

/** Map keys in the order Go prints and ranges them: sorted by bytes of the UTF-8 encoding. */
export function sortedKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  return keys.sort(compareGoStrings);
}

/** Go compares strings by their UTF-8 bytes, which is code point order (not UTF-16 unit order). */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after 0xE000-0xFFFF.
    const sx = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x;
    const sy = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y;
    return sx < sy ? -1 : 1;
  }
  return a.length - b.length;
}

/** The struct fields of a class instance, in definition order. */
export function structFields(v: object): string[] {
  return Object.keys(v).filter((k) => typeof (v as Record<string, unknown>)[k] !== 'function');
}

/**
 * Formats a value as Go's `%v` (fmt.Sprint of one operand): strings raw, `<nil>` for nil, `<no value>`
 * for a missing value, `[a b]` for lists, `map[a:1 b:2]` with sorted keys, `{x y}` for structs.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return '<no value>';
  return formatNested(value);
}

function formatNested(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? String(value) : formatFloat(value, 'g', -1);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '<nil>';
    case 'function':
      return '<func>';
    default:
      break;
  }
  if (value === null) return '<nil>';
  if (value instanceof GoFloat) return formatFloat(value.value, 'g', -1);
  if (Array.isArray(value)) return `[${value.map(formatNested).join(' ')}]`;
  if (isPlainObject(value)) {
    return `map[${sortedKeys(value)
      .map((k) => `${k}:${formatNested(value[k])}`)
      .join(' ')}]`;
  }
  // Go functions hand out structs by pointer, and fmt prints a pointer to a struct as &{...}.
  const record = value as Record<string, unknown>;
  return `&{${structFields(record)
    .map((k) => formatNested(record[k]))
    .join(' ')}}`;
}

/**
 * Fields and methods of a struct stand-in: its own properties and what its classes define, but
 * nothing from Object.prototype (`.toString`, `.constructor` are not Go members).
 */
export function hasStructMember(receiver: object, name: string): boolean {
  if (name === 'constructor') return false;
  for (let o: object | null = receiver; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.hasOwn(o, name)) return true;
  }
  return false;
}
