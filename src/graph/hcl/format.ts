/**
 * `converge fmt`: the canonical layout of HashiCorp's HCL v1 printer (hcl/printer), so that files
 * the original's `fmt --check` accepted stay byte-for-byte unchanged. Its rules, in short:
 * - two-space indentation; heredocs and multi-line strings keep their lines 2+ as written;
 * - at the top level a blank line separates items, except adjacent empty blocks (`x {}`);
 * - inside objects, runs of one-line items on consecutive source lines are aligned (keys padded so
 *   the `=` line up, line comments aligned after the longest value); other items get blank lines;
 * - lists stay on one line when they were written on one line and hold only literals;
 *   otherwise one element a line with trailing commas;
 * - comments: lead and line comments go with their item; others stay where they were.
 * One deliberate difference: lines 2+ of a multi-line `/* *\/` lead comment are kept as written
 * (HCL v1 indents them again on every run, so its output is not stable).
 */
import type { HclFile, HclItem, HclValue, Position } from './ast.js';
import type { CommentGroup } from './lexer.js';
import { parseWithComments, type Attached } from './parser.js';

const INDENT = '  ';
/** Marks lines that must not be indented (a private-use character, removed before output). */
const KEEP = '\uE123';
const INFINITY: Pos = { line: 1 << 30, offset: 1 << 30 };

interface Pos {
  readonly line: number;
  readonly offset: number;
}

function after(p: Pos, u: Pos): boolean {
  return u.offset < p.offset || u.line < p.line;
}
function before(p: Pos, u: Pos): boolean {
  return u.offset > p.offset || u.line > p.line;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function lineCount(s: string): number {
  let n = 1;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Indents every non-empty line. */
function indent(s: string): string {
  let out = '';
  let bol = true;
  for (const c of s) {
    if (bol && c !== '\n') out += INDENT;
    out += c;
    bol = c === '\n';
  }
  return out;
}

/** Marks lines 2+ so that later indentation is undone for them. */
function keepLines(s: string): string {
  return s.replace(/\n(?=[^\n])/g, `\n${KEEP}`);
}

/** Removes the indentation in front of each marker, and the markers. */
function unmark(s: string): string {
  return s.replace(new RegExp(`\\n[ \\t]*${KEEP}`, 'g'), '\n').replaceAll(KEEP, '');
}

class Printer {
  readonly #attached: Map<object, Attached>;
  readonly #standalone: readonly CommentGroup[];
  #prev: Pos = { line: 0, offset: 0 };

  constructor(attached: Map<object, Attached>, groups: readonly CommentGroup[]) {
    this.#attached = attached;
    const used = new Set<CommentGroup>();
    for (const a of attached.values()) {
      if (a.lead) used.add(a.lead);
      if (a.line) used.add(a.line);
    }
    this.#standalone = groups.filter((g) => !used.has(g));
  }

  file(items: readonly HclItem[]): string {
    let out = '';
    for (let index = 0; ; index++) {
      const next = index < items.length ? (items[index] as HclItem).pos : INFINITY;
      for (const group of this.#standalone) {
        let printed = false;
        let blank = false;
        for (const c of group) {
          if (!after(c.pos, this.#prev) || !before(c.pos, next)) continue;
          if (!blank && this.#prev.line > 0 && index === items.length) {
            out += '\n\n';
            blank = true;
          }
          out += `${c.text}\n`;
          printed = true;
        }
        if (printed && index !== items.length) out += '\n';
      }
      if (index === items.length) break;
      const item = items[index] as HclItem;
      this.#prev = item.pos;
      out += this.#item(item);
      const following = items[index + 1];
      if (following !== undefined) {
        out += '\n';
        if (following.pos.line !== item.pos.line + 1 || !this.#emptyBlock(following) || !this.#emptyBlock(item)) out += '\n';
      }
    }
    return out;
  }

  #emptyBlock(item: HclItem): boolean {
    if (this.#attached.get(item)?.lead) return false;
    return !item.assign && item.value.type === 'object' && item.value.items.length === 0;
  }

  #item(item: HclItem): string {
    const comments = this.#attached.get(item);
    let out = '';
    if (comments?.lead) for (const c of comments.lead) out += `${keepLines(c.text)}\n`;
    // A comment after a heredoc would land on its closing line and break it (HCL v1 does that), so
    // such a comment goes above the item instead.
    const sameLine = item.value.pos.line === item.pos.line && !isHeredoc(item.value);
    if (comments?.line && !sameLine) for (const c of comments.line) out += `${c.text}\n`;
    for (const key of item.keys) out += `${(key.raw ?? key.name)} `;
    if (item.assign && item.keys.length === 1) out += '= ';
    out += this.#value(item.value);
    if (comments?.line && sameLine) out += ` ${comments.line.map((c) => c.text).join('')}`;
    return out;
  }

  #value(v: HclValue): string {
    switch (v.type) {
      case 'object':
        return this.#object(v);
      case 'list':
        return this.#list(v);
      case 'string': {
        const raw = v.raw ?? JSON.stringify(v.value);
        if (v.heredoc) return keepLines(raw.endsWith('\n') ? raw.slice(0, -1) : raw);
        return raw.includes('\n') ? keepLines(raw) : raw;
      }
      case 'number':
        return v.raw;
      case 'bool':
        return v.value ? 'true' : 'false';
    }
  }

  #object(o: Extract<HclValue, { type: 'object' }>): string {
    const items = o.items;
    const rbrace: Position = o.endPos ?? o.pos;
    let out = '{';
    let commented = false;
    let opened = false;
    for (let index = 0; ; ) {
      const next: Pos = index < items.length ? (items[index] as HclItem).pos : rbrace;
      for (const group of this.#standalone) {
        let printed = false;
        let lastLine = 0;
        for (const c of group) {
          if (!after(c.pos, this.#prev) || !before(c.pos, next)) continue;
          if (!opened) {
            opened = true;
            out += '\n';
          }
          if (index > 0) {
            commented = true;
            out += '\n';
          }
          lastLine = c.pos.line;
          out += indent(keepLines(c.text));
          printed = true;
        }
        if (printed) {
          out += '\n';
          if (next !== rbrace && next.line !== lastLine + 1) out += '\n';
        }
      }
      if (index === items.length) {
        this.#prev = rbrace;
        break;
      }
      if (!opened) {
        out += '\n';
        opened = true;
      }
      // A run of one-line items on consecutive source lines is printed aligned.
      const aligned: HclItem[] = [];
      for (const item of items.slice(index)) {
        if (items.length === 1) break;
        if (lineCount(this.#item(item)) > 2) break;
        const cur = item.pos.line;
        const nextLine = index !== items.length - 1 ? (items[index + 1] as HclItem).pos.line : 0;
        const prevLine = index !== 0 ? (items[index - 1] as HclItem).pos.line : 0;
        if (cur + 1 === nextLine) {
          aligned.push(item);
          index++;
          continue;
        }
        if (cur - 1 === prevLine) {
          aligned.push(item);
          index++;
          if (cur + 1 !== nextLine) break;
          continue;
        }
        break;
      }
      if (!commented && index !== aligned.length) out += '\n';
      if (aligned.length > 0) {
        this.#prev = (aligned[aligned.length - 1] as HclItem).pos;
        out += indent(this.#aligned(aligned));
      } else {
        const item = items[index] as HclItem;
        this.#prev = item.pos;
        out += indent(this.#item(item));
        index++;
      }
      out += '\n';
    }
    return `${out}}`;
  }

  #aligned(items: readonly HclItem[]): string {
    // HCL v1 pads every key of a lone multi-key item to the first key's width, which changes again
    // on the next run (the item is then no longer part of a run); a run of one prints plainly.
    if (items.length === 1) return this.#item(items[0] as HclItem);
    let keyWidth = 0;
    let valueWidth = 0;
    for (const item of items) {
      keyWidth = Math.max(keyWidth, bytes(item.keys[0]?.raw ?? item.keys[0]?.name ?? ''));
      valueWidth = Math.max(valueWidth, bytes(this.#value(item.value)));
    }
    const lines: string[] = [];
    for (const item of items) {
      const comments = this.#attached.get(item);
      let out = '';
      if (comments?.lead) for (const c of comments.lead) out += `${keepLines(c.text)}\n`;
      if (comments?.line && isHeredoc(item.value)) for (const c of comments.line) out += `${c.text}\n`;
      item.keys.forEach((key, i) => {
        // HCL v1 glues later keys together when they are wider than the first (`"a""b"`); at least
        // one space is kept here.
        out += (key.raw ?? key.name) + ' '.repeat(Math.max(0, keyWidth - bytes(key.raw ?? key.name)) + 1);
        if (i === item.keys.length - 1 && item.keys.length === 1) out += '= ';
      });
      const value = this.#value(item.value);
      out += value;
      if (comments?.line && item.value.pos.line === item.pos.line && !isHeredoc(item.value)) {
        out += ' '.repeat(Math.max(0, valueWidth - bytes(value)) + 1) + comments.line.map((c) => c.text).join('');
      }
      lines.push(out);
    }
    return lines.join('\n');
  }

  #list(l: Extract<HclValue, { type: 'list' }>): string {
    if (this.#oneLineList(l)) {
      let out = '[';
      l.items.forEach((item, i) => {
        if (i > 0) out += ', ';
        out += this.#value(item);
        if (item.type === 'string' && item.heredoc) out += '\n';
      });
      return `${out}]`;
    }
    let widest = 0;
    for (const item of l.items) {
      if (item.type === 'string' || item.type === 'number' || item.type === 'bool') widest = Math.max(widest, bytes(literalText(item)));
    }
    let out = '[\n';
    let blankBefore = false;
    l.items.forEach((item, i) => {
      const comments = this.#attached.get(item);
      if (comments?.lead) {
        if (!blankBefore && i !== 0) out += '\n';
        for (const c of comments.lead) out += `${indent(c.text)}\n`;
      }
      const value = this.#value(item);
      out += indent(value);
      out += item.type === 'string' && item.heredoc ? `\n${indent(',')}` : ',';
      if (comments?.line) out += ' '.repeat(Math.max(0, widest - bytes(value)) + 1) + comments.line.map((c) => c.text).join('');
      out += '\n';
      blankBefore = comments?.lead !== undefined && i !== l.items.length - 1;
      if (blankBefore) out += '\n';
    });
    return `${out}]`;
  }

  #oneLineList(l: Extract<HclValue, { type: 'list' }>): boolean {
    for (const item of l.items) {
      if (item.pos.line !== l.pos.line) return false;
      if (item.type === 'list' || item.type === 'object') return false;
      if (item.type === 'string' && item.heredoc && l.items.length !== 1) return false;
      if (this.#attached.get(item)?.line) return false;
    }
    return true;
  }
}

function isHeredoc(v: HclValue): boolean {
  return v.type === 'string' && v.heredoc === true;
}

function literalText(v: HclValue): string {
  if (v.type === 'number') return v.raw;
  if (v.type === 'bool') return v.value ? 'true' : 'false';
  if (v.type === 'string') return v.raw ?? JSON.stringify(v.value);
  return '';
}

/**
 * Formats HCL v1 source canonically. Idempotent; the result ends with exactly one newline (an
 * empty file stays empty).
 * @throws ConvergeError `CNV_ERR_HCL_PARSE` when the source does not parse.
 */
export function format(source: string, file: string): string {
  const { file: tree, attached, groups } = parseWithComments(source, file);
  const out = unmark(new Printer(attached, groups).file((tree as HclFile).items));
  const trimmed = out.replace(/\n+$/, '');
  return trimmed === '' ? '' : `${trimmed}\n`;
}
