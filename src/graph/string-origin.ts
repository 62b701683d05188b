/**
 * Where a template string was written. Every string field is a template, and its errors must name the
 * file position of the problem, not an offset into the decoded text: a quoted string's escapes (`\"`,
 * `\t`, `\u00e9`) are longer in the file than in the value, and a heredoc's text starts on the line
 * after its `<<EOF` marker (with `<<-EOF` indentation removed from every line). An origin keeps the
 * token as written, so that a decoded offset maps back to the file only when an error needs it.
 */
import type { SourcePosition } from '../errors.js';
import type { HclItem, HclKey, HclValue } from './hcl/ast.js';

/** One string value (or quoted object key) as it appears in the file. */
export interface StringOrigin {
  /** The decoded value, which is what the template engine sees. */
  readonly text: string;
  /** Position of the token's first character (the opening quote or the `<<`). */
  readonly pos: SourcePosition;
  /** The token as written. */
  readonly raw: string;
  readonly heredoc: boolean;
}

/** A file position inside a string, 1-based. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** Every string in `value` (and every quoted key of its objects), in source order. */
export function collectOrigins(value: HclValue, out: StringOrigin[] = []): StringOrigin[] {
  switch (value.type) {
    case 'string':
      if (value.raw !== undefined) out.push({ text: value.value, pos: value.pos, raw: value.raw, heredoc: value.heredoc === true });
      break;
    case 'list':
      for (const item of value.items) collectOrigins(item, out);
      break;
    case 'object':
      for (const item of value.items) collectItemOrigins(item, out);
      break;
    default:
      break;
  }
  return out;
}

function collectItemOrigins(item: HclItem, out: StringOrigin[]): void {
  keyOrigins(item.keys, out);
  collectOrigins(item.value, out);
}

/** The quoted keys among `keys` (a case's predicate is one). */
export function keyOrigins(keys: readonly HclKey[], out: StringOrigin[] = []): StringOrigin[] {
  for (const key of keys) {
    if (key.quoted && key.raw !== undefined) out.push({ text: key.name, pos: key.pos, raw: key.raw, heredoc: false });
  }
  return out;
}

/**
 * The origin of `text` among `origins`: the first string with that exact value. Two equal strings in
 * one field compile to the same template, so the first one is where its errors are shown.
 */
export function findOrigin(origins: readonly StringOrigin[] | undefined, text: string): StringOrigin | undefined {
  return origins?.find((o) => o.text === text);
}

/** Maps an offset into the decoded value (UTF-16 units) to its line and column in the file. */
export function locateInOrigin(origin: StringOrigin, offset: number): LineColumn {
  const rawIndex = origin.heredoc ? heredocRawIndex(origin.raw, offset) : quotedRawIndex(origin.raw, offset);
  return positionOfRawIndex(origin, rawIndex);
}

/** Line and column of `rawIndex` in the token, from the token's own position; columns count characters. */
function positionOfRawIndex(origin: StringOrigin, rawIndex: number): LineColumn {
  const before = origin.raw.slice(0, rawIndex);
  const lastNewline = before.lastIndexOf('\n');
  let line = origin.pos.line;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  if (lastNewline < 0) return { line, column: origin.pos.column + characters(before) };
  return { line, column: characters(before.slice(lastNewline + 1)) + 1 };
}

function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Raw index of a decoded offset in a quoted token. Escapes are walked as strings.ts decodes them:
 * `${ ... }` is copied verbatim, a simple escape is one character, `\u`/`\U` give one code point.
 * A `\x` or octal escape counts as one character; bytes that combine into one non-ASCII character
 * put the columns after them a little to the right, which still points into the right escape run.
 */
function quotedRawIndex(raw: string, offset: number): number {
  const end = raw.length - 1;
  let decoded = 0;
  let i = 1;
  while (i < end && decoded < offset) {
    const c = raw.charCodeAt(i);
    if (c !== 92 /* \ */) {
      i++;
      decoded++;
      continue;
    }
    const e = raw[i + 1] ?? '';
    if (e === 'u' || e === 'U') {
      const digits = raw.slice(i + 2, i + (e === 'u' ? 6 : 10));
      const cp = Number.parseInt(digits, 16);
      decoded += Number.isNaN(cp) || cp <= 0xffff || cp > 0x10ffff ? 1 : 2;
      i += 2 + digits.length;
    } else if (e === 'x' || (e >= '0' && e <= '7')) {
      i += 4;
      decoded++;
    } else {
      i += 2;
      decoded++;
    }
  }
  return i;
}

/** Raw index of a decoded offset in a heredoc token (`<<EOF\n` ... `EOF\n`), as strings.ts's heredocValue cuts it. */
function heredocRawIndex(raw: string, offset: number): number {
  const bodyStart = raw.indexOf('\n') + 1;
  if (raw.charCodeAt(2) !== 45 /* - */) return bodyStart + offset;
  const anchorLength = bodyStart - 1;
  const body = raw.slice(bodyStart, raw.length - anchorLength + 2);
  const lines = body.split('\n');
  const prefix = lines[lines.length - 1] ?? '';
  // When some line lacks the closing line's indentation, nothing was stripped.
  const stripped = prefix.length > 0 && lines.every((l) => l.startsWith(prefix)) ? prefix.length : 0;
  let rawAt = bodyStart;
  let left = offset;
  for (const line of lines) {
    const shown = line.length - stripped;
    if (left <= shown) return rawAt + stripped + left;
    left -= shown + 1;
    rawAt += line.length + 1;
  }
  return rawAt;
}
