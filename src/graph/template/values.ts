/**
 * How JS values stand in for Go values inside templates, and how Go prints them with `%v`.
 *
 * - string, boolean: Go string, bool.
 * - number: a safe integer is a Go `int`; anything else (fractions, huge values, NaN, ±Inf) is a
 *   `float64`. Go keeps the two apart by type; JS cannot, so `1.0` behaves as the int 1 (it prints
 *   the same way under `%v`).
 * - null: a Go nil; undefined: Go's "no value" (a missing map key, or no dot at all).
 * - arrays: `[]interface {}`; plain objects (prototype Object.prototype or null): `map[string]interface {}`.
 * - any other object (a class instance, such as what `platform` returns): a pointer to a Go struct,
 *   whose fields are its enumerable own properties in definition order and whose methods are its
 *   functions (own or inherited).
 */

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

// --- floats --------------------------------------------------------------------------------------

/** Decimal digits (no leading or trailing zeros) and decimal-point position: value = 0.DIGITS × 10^dp. */
interface Digits {
  readonly d: string;
  readonly dp: number;
}

/** The shortest digits that read back as `v` (what JS and Go both produce for round-tripping). */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const [mant, exp] = Math.abs(v).toExponential().split('e') as [string, string];
  const d = mant.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(exp) + 1 };
}

/** The exact decimal expansion of a finite double. */
function exactDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let exp: number;
  if (biasedExp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  let d: string;
  let dp: number;
  if (exp >= 0) {
    d = (mant << BigInt(exp)).toString();
    dp = d.length;
  } else {
    d = (mant * 5n ** BigInt(-exp)).toString();
    dp = d.length + exp;
  }
  const trimmed = d.replace(/0+$/, '');
  return { d: trimmed, dp };
}

/** Rounds to `nd` significant digits, half to even on an exact tie, like Go's decimal.Round. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: '', dp: x.dp };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) return { d: x.d.slice(0, nd).replace(/0+$/, ''), dp: x.dp };
  const digits = x.d.slice(0, nd).split('').map(Number);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 9) {
    digits[i] = 0;
    i--;
  }
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  digits[i]! += 1;
  return { d: digits.slice(0, i + 1).join(''), dp: x.dp };
}

function fmtE(x: Digits, prec: number, e: 'e' | 'E'): string {
  let s = x.d.length === 0 ? '0' : x.d[0]!;
  if (prec > 0) s += `.${x.d.slice(1, 1 + prec).padEnd(prec, '0')}`;
  const exp = x.d.length === 0 ? 0 : x.dp - 1;
  const abs = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

function fmtF(x: Digits, prec: number): string {
  let s: string;
  if (x.dp > 0) s = x.d.slice(0, x.dp).padEnd(x.dp, '0');
  else s = '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = x.dp + i;
      frac += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
    s += `.${frac}`;
  }
  return s;
}

/**
 * strconv.FormatFloat(v, verb, prec, 64) for verbs e, E, f, F, g, G; prec -1 means "shortest".
 * No sign handling for special values beyond Go's `NaN`, `+Inf`, `-Inf`.
 */
export function formatFloat(v: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const shortest = prec < 0;
  let x: Digits;
  if (shortest) {
    x = shortestDigits(v);
  } else {
    const exact = exactDigits(v);
    switch (verb) {
      case 'e':
      case 'E':
        x = roundDigits(exact, prec + 1);
        break;
      case 'f':
      case 'F':
        x = roundDigits(exact, exact.dp + prec);
        break;
      default:
        x = roundDigits(exact, prec === 0 ? 1 : prec);
        break;
    }
  }
  let body: string;
  switch (verb) {
    case 'e':
    case 'E':
      body = fmtE(x, shortest ? Math.max(x.d.length - 1, 0) : prec, verb);
      break;
    case 'f':
    case 'F':
      body = fmtF(x, shortest ? Math.max(x.d.length - x.dp, 0) : prec);
      break;
    default: {
      let p = shortest ? x.d.length : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > x.d.length) p = x.d.length;
        body = fmtE(x, p - 1, verb === 'g' ? 'e' : 'E');
      } else {
        if (p > x.dp) p = x.d.length;
        body = fmtF(x, Math.max(p - x.dp, 0));
      }
    }
  }
  return neg ? `-${body}` : body;
}
