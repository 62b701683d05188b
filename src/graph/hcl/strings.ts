/**
 * String and heredoc values, decoded the way HCL v1 decodes them (hcl/strconv and
 * token.unindentHeredoc). The lexer has already validated escape syntax; what is left to reject
 * here are values that HCL v1 only rejects on decoding (code points above U+10FFFF, octal above 255).
 */

/** Why a value could not be decoded, and where (offset into the token text). */
export class StringValueError extends Error {
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.at = at;
  }
}

const SIMPLE: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"',
};

/**
 * Unquotes a string token (with its quotes). `${ ... }` sections are copied verbatim, escapes
 * included, because HCL v1 leaves interpolations for the template layer.
 */
export function unquote(text: string): string {
  const end = text.length - 1;
  let out = '';
  let bytes: number[] | undefined; // \x and octal escapes yield raw bytes, as in Go
  let i = 1;
  let runStart = 1;
  const flushRun = (to: number): void => {
    if (to > runStart) {
      if (bytes) pushUtf8(bytes, text.slice(runStart, to));
      else out += text.slice(runStart, to);
    }
  };
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 123 /* { */) {
      let braces = 1;
      i += 2;
      while (i < end && braces > 0) {
        const d = text.charCodeAt(i);
        if (d === 123) braces++;
        else if (d === 125) braces--;
        i++;
      }
      continue;
    }
    if (c !== 92 /* \ */) {
      i++;
      continue;
    }
    flushRun(i);
    const e = text[i + 1] ?? '';
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      if (bytes) pushUtf8(bytes, simple);
      else out += simple;
      i += 2;
    } else if (e === 'x' || (e >= '0' && e <= '7')) {
      const octal = e !== 'x';
      const digits = octal ? text.slice(i + 1, i + 4) : text.slice(i + 2, i + 4);
      const value = Number.parseInt(digits, octal ? 8 : 16);
      if (value > 255) throw new StringValueError(`octal escape \\${digits} is above 255`, i);
      if (!bytes) {
        bytes = [];
        pushUtf8(bytes, out);
      }
      bytes.push(value);
      i += 4;
    } else {
      const n = e === 'u' ? 4 : 8;
      const digits = text.slice(i + 2, i + 2 + n);
      let cp = Number.parseInt(digits, 16);
      if (cp > 0x10ffff) throw new StringValueError(`escape \\${e}${digits} is not a valid code point`, i);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // Go encodes a lone surrogate as U+FFFD
      const s = String.fromCodePoint(cp);
      if (bytes) pushUtf8(bytes, s);
      else out += s;
      i += 2 + n;
    }
    runStart = i;
  }
  flushRun(end);
  return bytes ? decodeUtf8Go(bytes) : out;
}

function pushUtf8(bytes: number[], s: string): void {
  for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
}

/** UTF-8 decoding where each invalid byte becomes U+FFFD, as Go's encoding/json does. */
function decodeUtf8Go(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  const at = (k: number): number => bytes[k] ?? -1;
  const cont = (k: number): boolean => (at(k) & 0xc0) === 0x80 && at(k) >= 0;
  while (i < bytes.length) {
    const b = at(i);
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    let cp = -1;
    let len = 1;
    if (b >= 0xc2 && b <= 0xdf && cont(i + 1)) {
      cp = ((b & 0x1f) << 6) | (at(i + 1) & 0x3f);
      len = 2;
    } else if (b >= 0xe0 && b <= 0xef && cont(i + 1) && cont(i + 2)) {
      cp = ((b & 0x0f) << 12) | ((at(i + 1) & 0x3f) << 6) | (at(i + 2) & 0x3f);
      len = 3;
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) cp = -1;
    } else if (b >= 0xf0 && b <= 0xf4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      cp = ((b & 0x07) << 18) | ((at(i + 1) & 0x3f) << 12) | ((at(i + 2) & 0x3f) << 6) | (at(i + 3) & 0x3f);
      len = 4;
      if (cp < 0x10000 || cp > 0x10ffff) cp = -1;
    }
    if (cp < 0) {
      out += '\ufffd';
      i++;
    } else {
      out += String.fromCodePoint(cp);
      i += len;
    }
  }
  return out;
}

/**
 * The value of a heredoc token (text from `<<` through the newline after the closing line). The
 * arithmetic mirrors HCL v1's unindentHeredoc, including its quirks: a closing line indented in a
 * plain `<<EOF` heredoc leaves that indentation in the value, and `<<-EOF` strips the closing line's
 * indentation only when every line starts with it (otherwise the text is kept as written).
 */
export function heredocValue(text: string): string {
  const idx = text.indexOf('\n');
  if (text.charCodeAt(2) !== 45 /* - */) return text.slice(idx + 1, text.length - idx + 1);
  const lines = text.slice(idx + 1, text.length - idx + 2).split('\n');
  const prefix = lines[lines.length - 1] ?? '';
  if (!lines.every((l) => l.startsWith(prefix))) {
    return text.slice(idx + 1, text.length - idx + 1).replace(/[ \t]+$/, '');
  }
  const out = lines.map((l) => l.slice(prefix.length));
  out[out.length - 1] = '';
  return out.join('\n');
}
