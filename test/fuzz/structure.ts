/**
 * A rough map of an HCL text for structure-level mutations: where its blocks and string literals are.
 * It only has to be right on the unmutated seeds; on odd input it may be wrong, which is fine, since a
 * wrong span only makes a stranger mutation.
 */

export interface Span {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface TextMap {
  /** Blocks at any depth, from the start of their header line to their closing brace. */
  readonly blocks: readonly Span[];
  /** String literals, quotes included. */
  readonly strings: readonly Span[];
  /** String literals that are block labels (followed by another label or by `{`). */
  readonly labels: readonly Span[];
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function skipString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

function skipHeredoc(text: string, at: number): number {
  const header = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n/.exec(text.slice(at, at + 200));
  if (header === null) return at + 2;
  const close = new RegExp(`^[ \\t]*${header[1]}[ \\t]*$`, 'm');
  const rest = text.slice(at + header[0].length);
  const found = close.exec(rest);
  return found === null ? text.length : at + header[0].length + found.index + found[0].length;
}

export function mapText(text: string): TextMap {
  const blocks: Span[] = [];
  const strings: Span[] = [];
  const open: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = skipString(text, i);
      strings.push({ start: i, end });
      i = end;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (c === '<' && text[i + 1] === '<') {
      i = skipHeredoc(text, i);
    } else if (c === '{') {
      // A block's brace follows its labels or name on the same line; an object's follows `=`.
      const before = text.slice(lineStart(text, i), i);
      open.push(/=\s*$/.test(before) ? -1 : lineStart(text, i));
      i++;
    } else if (c === '}') {
      const start = open.pop();
      if (start !== undefined && start >= 0) blocks.push({ start, end: i + 1 });
      i++;
    } else {
      i++;
    }
  }
  const labels = strings.filter((s) => /^[ \t]*["{]/.test(text.slice(s.end, s.end + 80)));
  return { blocks, strings, labels };
}
