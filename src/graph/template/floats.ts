/**
 * Go's strconv float formatting (verbs e, E, f, F, g, G), as fmt and `%v` use it: shortest digits that
 * round-trip, or a fixed precision rounded from the exact binary value, half to even on exact ties.
 */

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

/**
 * strconv 'x'/'X' formatting (fmt's %x on floats): `0x1.8p+01`, hexadecimal mantissa normalised to
 * 1.x, binary exponent with at least two digits. prec -1 means as many hex digits as needed.
 */
export function formatHexFloat(v: number, upper: boolean, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const bits = view.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  if (exp === 0 && mant === 0n) {
    exp = 0;
  } else if (exp === 0) {
    // Subnormal: shift until the implicit leading 1 appears.
    exp = -1022;
    while ((mant & (1n << 52n)) === 0n) {
      mant <<= 1n;
      exp--;
    }
    mant &= 0xfffffffffffffn;
  } else {
    exp -= 1023;
  }
  const lead = v === 0 ? '0' : '1';
  let frac = mant.toString(16).padStart(13, '0');
  if (prec < 0) frac = frac.replace(/0+$/, '');
  else if (prec < 13) {
    // Round the 52-bit fraction to `prec` hex digits, half to even.
    const drop = BigInt((13 - prec) * 4);
    const full = (1n << 52n) | mant;
    let kept = full >> drop;
    const rest = full & ((1n << drop) - 1n);
    const half = 1n << (drop - 1n);
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
    if (kept >> BigInt(prec * 4) >= 2n) {
      kept >>= 1n;
      exp++;
    }
    frac = prec === 0 ? '' : (kept & ((1n << BigInt(prec * 4)) - 1n)).toString(16).padStart(prec, '0');
  } else frac = frac.padEnd(prec, '0');
  const e = Math.abs(exp);
  let out = `0x${lead}${frac === '' ? '' : `.${frac}`}p${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  if (upper) out = out.toUpperCase();
  return neg ? `-${out}` : out;
}
