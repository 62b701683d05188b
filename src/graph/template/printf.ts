/**
 * The part of Go's fmt package that templates reach through print, println and printf: the verbs
 * %v %s %d %q %x %X %f %F %e %E %g %G %t %T %c %o %O %b %U %%, the flags `- + # 0 space`, width and
 * precision (also `*`), explicit operand indexes (`%[2]d`), and Go's in-band error notes (`%!d(string=x)`, `%!d(MISSING)`,
 * `%!(EXTRA int=1)`). Lists, maps and structs apply the verb to each element, as fmt does.
 *
 * Over the size rule (a printer): sprintf() is one pass over the format in the order of Go's doPrintf
 * (flags, index, width, precision, verb), and the file keeps every verb beside it; split, neither
 * reads against Go's fmt any more.
 */
import { formatFloat, formatHexFloat } from './floats.js';
import { goQuote, quoteRune } from '../../go/strconv.js';
import { goKind, goTypeName, numberOf, sortedKeys, structFields } from './values.js';
import { chargeOutput } from './budget.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number; // -1: none
  prec: number; // -1: none
}

const runeLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Go's fmt refuses widths and precisions past a million (fmt's tooLarge). */
const MAX_WIDTH = 1e6;

function tooLarge(x: number): boolean {
  return x > MAX_WIDTH || x < -MAX_WIDTH;
}

/**
 * Go's parsenum: the digits at `i`. A number that is already past a million when another digit
 * follows is an overflow: fmt then reports no number and skips the rest of the format, so
 * `%.999999999f` prints `%!(NOVERB)` and a width can never exceed eight digits.
 */
function parseNum(format: string, i: number): { num: number; isNum: boolean; next: number } {
  let num = 0;
  let isNum = false;
  let j = i;
  for (; j < format.length && format[j]! >= '0' && format[j]! <= '9'; j++) {
    if (tooLarge(num)) return { num: 0, isNum: false, next: format.length };
    num = num * 10 + (format.charCodeAt(j) - 48);
    isNum = true;
  }
  return { num, isNum, next: j };
}

/** An operand used as `*` width or precision: an integer within fmt's bounds, else null. */
function starArg(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && !tooLarge(v) ? v : null;
}

function pad(s: string, spec: Spec): string {
  if (spec.width < 0) return s;
  const n = runeLength(s);
  if (n >= spec.width) return s;
  const fill = spec.width - n;
  chargeOutput(fill);
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero) return '0'.repeat(fill) + s;
  return ' '.repeat(fill) + s;
}

/** Pads a number, putting zero padding between the sign and the digits. */
function padNumber(sign: string, digits: string, spec: Spec, zeroOk: boolean): string {
  if (spec.zero && zeroOk && !spec.minus && spec.width > 0) {
    const fill = spec.width - sign.length - digits.length;
    if (fill > 0) chargeOutput(fill);
    return sign + (fill > 0 ? '0'.repeat(fill) : '') + digits;
  }
  return pad(sign + digits, { ...spec, zero: false });
}

/** `%!d(string=x)`: as fmt does, the operand is printed with %v under the same flags, width and precision. */
function badVerb(verb: string, v: unknown, spec: Spec): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatArg(v, 'v', spec)})`;
}

function blankSpec(): Spec {
  return { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };
}

function formatInt(n: number | bigint, verb: string, spec: Spec): string | null {
  // Safe integers stay numbers (BigInt is slow); only bigint inputs take the bigint path.
  const neg = n < 0;
  const abs: number | bigint = typeof n === 'bigint' ? (neg ? -n : n) : Math.abs(n);
  const value = Number(n);
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString(10);
      break;
    case 'b':
      digits = abs.toString(2);
      if (spec.sharp) prefix = '0b';
      break;
    case 'o':
    case 'O':
      digits = abs.toString(8);
      if (verb === 'O') prefix = '0o';
      else if (spec.sharp && digits !== '0') prefix = '0';
      break;
    case 'x':
      digits = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'c':
      return pad(String.fromCodePoint(neg || Number(abs) > 0x10ffff ? 0xfffd : Number(abs)), spec);
    case 'q':
      return pad(quoteRune(value, spec.plus), spec);
    case 'U': {
      const hex = abs.toString(16).toUpperCase().padStart(4, '0');
      let s = `U+${hex}`;
      if (spec.sharp && !neg) s += ` '${String.fromCodePoint(Number(abs))}'`;
      return pad(s, spec);
    }
    default:
      return null;
  }
  if (spec.prec >= 0) {
    chargeOutput(spec.prec);
    digits = spec.prec === 0 && value === 0 ? '' : digits.padStart(spec.prec, '0');
  }
  const sign = neg ? '-' : spec.plus && verb !== 'v' ? '+' : spec.space ? ' ' : '';
  return padNumber(sign, prefix + digits, spec, spec.prec < 0);
}

function formatFloatVerb(v: number, verb: string, spec: Spec): string | null {
  if (spec.prec > 0) chargeOutput(spec.prec);
  let body: string;
  switch (verb) {
    case 'v':
      body = formatFloat(v, 'g', spec.prec);
      break;
    case 'g':
    case 'G':
      body = formatFloat(v, verb, spec.prec);
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      body = formatFloat(v, verb, spec.prec < 0 ? 6 : spec.prec);
      break;
    case 'x':
    case 'X':
      body = formatHexFloat(v, verb === 'X', spec.prec);
      break;
    default:
      return null;
  }
  let sign = '';
  if (body.startsWith('-')) {
    sign = '-';
    body = body.slice(1);
  } else if (body.startsWith('+')) {
    sign = '+';
    body = body.slice(1);
  } else if (spec.plus && verb !== 'v') sign = '+';
  else if (spec.space) sign = ' ';
  return padNumber(sign, body, spec, Number.isFinite(v));
}

function formatString(s: string, verb: string, spec: Spec): string | null {
  switch (verb) {
    case 'v':
      if (spec.sharp) return pad(goQuote(s), spec);
      return pad(truncate(s, spec.prec), spec);
    case 's':
      return pad(truncate(s, spec.prec), spec);
    case 'q': {
      const t = truncate(s, spec.prec);
      if (spec.sharp && !t.includes('`') && !/[\p{C}]/u.test(t.replace(/\t/g, ''))) return pad(`\`${t}\``, spec);
      return pad(goQuote(t, spec.plus), spec);
    }
    case 'x':
    case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (spec.prec >= 0) bytes = bytes.subarray(0, spec.prec);
      let hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
      if (verb === 'X') hex = hex.map((h) => h.toUpperCase());
      const pre = spec.sharp ? (verb === 'x' ? '0x' : '0X') : '';
      const out = spec.space ? hex.map((h) => pre + h).join(' ') : pre + hex.join('');
      return pad(out, spec);
    }
    default:
      return null;
  }
}

function truncate(s: string, prec: number): string {
  if (prec < 0) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n++ >= prec) break;
    out += ch;
  }
  return out;
}

/** Formats one operand under one verb. */
/** `%#v`: the value as Go source syntax. */
function goSyntax(v: unknown): string {
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      return 'interface {}(nil)';
    case 'string':
      return goQuote(v as string);
    case 'slice':
      return `[]interface {}{${(v as unknown[]).map(goSyntax).join(', ')}}`;
    case 'map': {
      const m = v as Record<string, unknown>;
      return `map[string]interface {}{${sortedKeys(m)
        .map((k) => `${goQuote(k)}:${goSyntax(m[k])}`)
        .join(', ')}}`;
    }
    case 'struct': {
      const r = v as Record<string, unknown>;
      const name = goTypeName(v).replace(/^\*/, '');
      return `&${name}{${structFields(r)
        .map((k) => `${k}:${goSyntax(r[k])}`)
        .join(', ')}}`;
    }
    default:
      return formatArg(v, 'v', blankSpec());
  }
}

/** An element of a list, map or struct: fmt prints a nil element as `<nil>` whatever the verb. */
function formatElem(v: unknown, verb: string, spec: Spec): string {
  return v === null || v === undefined ? pad('<nil>', spec) : formatArg(v, verb, spec);
}

function formatArg(v: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(goTypeName(v), spec);
  if (verb === 'v' && spec.sharp) return pad(goSyntax(v), { ...spec, zero: false });
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      return verb === 'v' ? pad('<nil>', spec) : badVerb(verb, v, spec);
    case 'bool':
      return verb === 'v' || verb === 't' ? pad(String(v), spec) : badVerb(verb, v, spec);
    case 'int':
      return formatInt(v as number | bigint, verb, spec) ?? badVerb(verb, v, spec);
    case 'float64':
      return formatFloatVerb(numberOf(v), verb, spec) ?? badVerb(verb, v, spec);
    case 'string':
      return formatString(v as string, verb, spec) ?? badVerb(verb, v, spec);
    case 'slice': {
      const items = (v as unknown[]).map((e) => formatElem(e, verb, spec));
      return `[${items.join(' ')}]`;
    }
    case 'map': {
      const m = v as Record<string, unknown>;
      return `map[${sortedKeys(m)
        .map((k) => `${formatArg(k, verb, spec)}:${formatElem(m[k], verb, spec)}`)
        .join(' ')}]`;
    }
    case 'struct': {
      const r = v as Record<string, unknown>;
      const parts = structFields(r).map((k) => {
        const f = formatElem(r[k], verb, spec);
        return spec.plus && verb === 'v' ? `${k}:${f}` : f;
      });
      return `&{${parts.join(' ')}}`;
    }
    case 'func':
      return verb === 'v' ? pad('<func>', spec) : badVerb(verb, v, spec);
  }
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec = blankSpec();
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '-':
          spec.minus = true;
          spec.zero = false;
          break;
        case '+':
          spec.plus = true;
          break;
        case '#':
          spec.sharp = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
    }
    // `%[n]d` picks the operand explicitly; later operands continue from there.
    let goodIndex = true;
    const argIndex = (): void => {
      if (format[i] !== '[') return;
      reordered = true;
      const close = format.indexOf(']', i);
      const index = close < 0 ? Number.NaN : Number(format.slice(i + 1, close));
      if (close < 0 || !/^[0-9]+$/.test(format.slice(i + 1, close)) || index < 1 || index > args.length) {
        goodIndex = false;
        i = close < 0 ? i + 1 : close + 1;
        return;
      }
      argi = index - 1;
      i = close + 1;
    };
    argIndex();
    if (format[i] === '*') {
      i++;
      const w = starArg(args[argi++]);
      if (w !== null) {
        spec.width = Math.abs(w);
        if (w < 0) {
          spec.minus = true;
          spec.zero = false;
        }
      } else out += '%!(BADWIDTH)';
    } else {
      const width = parseNum(format, i);
      if (width.isNum) spec.width = width.num;
      i = width.next;
    }
    if (i + 1 < n && format[i] === '.') {
      i++;
      argIndex();
      if (format[i] === '*') {
        i++;
        const p = starArg(args[argi++]);
        if (p !== null && p >= 0) spec.prec = p;
        else out += '%!(BADPREC)';
      } else {
        const prec = parseNum(format, i);
        spec.prec = prec.isNum ? prec.num : 0;
        i = prec.next;
      }
    }
    argIndex();
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argi++], verb, spec);
  }
  if (!reordered && argi < args.length) {
    const extra = args.slice(argi).map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatArg(a, 'v', blankSpec())}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatArg(a, 'v', blankSpec());
    prevString = isString;
  }
  return out;
}

/** fmt.Sprintln: always spaces between operands, and a final newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatArg(a, 'v', blankSpec())).join(' ')}\n`;
}
