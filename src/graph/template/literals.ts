/**
 * Decoding of Go literal syntax inside actions: interpreted strings ("a\n"), raw strings (`a`),
 * character constants ('a') and numbers. Each decoder returns the value or a Go-worded problem
 * string; the parser attaches the position.
 */

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Decodes the body of a quoted literal (without its quotes), Go strconv.Unquote style. `\x` and octal
 * escapes denote bytes, so runs of them are decoded as UTF-8 (`"\xc3\xa9"` is "é").
 */
function decodeEscapes(body: string, quote: '"' | "'"): Decoded<string> {
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  const invalid: Decoded<string> = { ok: false, problem: 'invalid syntax' };
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c !== '\\') {
      if (c === quote) return invalid;
      flush();
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return invalid;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      flush();
      out += simple;
      i += 2;
      continue;
    }
    if (e === quote) {
      flush();
      out += e;
      i += 2;
      continue;
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + len);
      if (hex.length !== len || !HEX.test(hex)) return invalid;
      const n = Number.parseInt(hex, 16);
      if (e === 'x') {
        if (quote === "'") {
          flush();
          out += String.fromCodePoint(n);
        } else bytes.push(n);
      } else {
        if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) return invalid;
        flush();
        out += String.fromCodePoint(n);
      }
      i += 2 + len;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return invalid;
      const n = Number.parseInt(oct, 8);
      if (n > 255) return invalid;
      if (quote === "'") {
        flush();
        out += String.fromCodePoint(n);
      } else bytes.push(n);
      i += 4;
      continue;
    }
    return invalid;
  }
  flush();
  return { ok: true, value: out };
}

/** `"..."` or `` `...` `` token text to its string value. */
export function unquoteString(text: string): Decoded<string> {
  if (text.startsWith('`')) return { ok: true, value: text.slice(1, -1).replaceAll('\r', '') };
  return decodeEscapes(text.slice(1, -1), '"');
}

/** `'x'` token text to its code point. */
export function unquoteChar(text: string): Decoded<number> {
  const body = text.slice(1, -1);
  const decoded = decodeEscapes(body, "'");
  if (!decoded.ok) return { ok: false, problem: 'invalid syntax' };
  const s = decoded.value;
  const cp = s.codePointAt(0);
  if (cp === undefined || String.fromCodePoint(cp).length !== s.length) {
    return { ok: false, problem: `malformed character constant: ${text}` };
  }
  return { ok: true, value: cp };
}

/** A number token's value, with Go's integer/float rules (base prefixes, `_` separators, no complex). */
export function parseNumber(text: string): Decoded<number> {
  const illegal: Decoded<number> = { ok: false, problem: `illegal number syntax: ${JSON.stringify(text)}` };
  if (text.endsWith('i')) return { ok: false, problem: `complex numbers are not supported: ${JSON.stringify(text)}` };
  let sign = 1;
  let body = text;
  if (body.startsWith('+') || body.startsWith('-')) {
    if (body.startsWith('-')) sign = -1;
    body = body.slice(1);
  }
  // Underscores may only separate digits (or follow a base prefix), as in Go.
  if (body.includes('_')) {
    if (!/^(0[xXoObB]_?)?[0-9a-fA-F]+(_[0-9a-fA-F]+)*(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(body)) return illegal;
    body = body.replaceAll('_', '');
  }
  const hexFloat = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(body);
  if (hexFloat) {
    const [, int = '', frac = '', exp] = hexFloat;
    if (int === '' && frac === '') return illegal;
    const mantissa = Number.parseInt(`${int}${frac}` || '0', 16) / 16 ** frac.length;
    return { ok: true, value: sign * mantissa * 2 ** Number(exp) };
  }
  const prefixed = /^0([xXoObB])(.+)$/.exec(body);
  if (prefixed) {
    const radix = { x: 16, o: 8, b: 2 }[prefixed[1]!.toLowerCase() as 'x' | 'o' | 'b'];
    const digits = prefixed[2]!;
    const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[01]+$/;
    if (!valid.test(digits)) return illegal;
    return { ok: true, value: sign * Number.parseInt(digits, radix) };
  }
  if (/^0[0-9]+$/.test(body)) {
    if (!/^0[0-7]+$/.test(body)) return { ok: false, problem: `integer overflow: ${JSON.stringify(text)}` };
    return { ok: true, value: sign * Number.parseInt(body, 8) };
  }
  if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) return illegal;
  const value = Number(body);
  if (!Number.isFinite(value)) return illegal;
  return { ok: true, value: sign * value };
}
