/**
 * One failure as a block for a person, in the manner of Terraform's diagnostics: the headline, where it
 * happened with the source line and a caret under the column, the rest of the message, what to do, and
 * the stable code. Programs read the logfmt or JSON log line instead (error-report.ts chooses).
 */
import type { SourcePosition } from '../../errors.js';
import type { Style } from './style.js';

export interface ErrorBlock {
  /** The message without its `file:line:column: ` prefix; its first line is the headline. */
  readonly text: string;
  readonly code?: string;
  readonly position?: SourcePosition;
  /** The text of `position.line`, when the file could be read here. */
  readonly sourceLine?: string;
  /** What to do about it, one sentence each. */
  readonly hints?: readonly string[];
}

/** Columns a tab advances in the excerpt; the caret line uses the same expansion. */
const TAB_WIDTH = 4;

/**
 * `file:line:column: ` at the start of a message, as positionedError() writes it. The file may hold no
 * blank, so that prose like "expired on 2026-01-02 10:20:30: ..." is not read as a position; a path
 * with a blank then loses only its excerpt, not its text.
 */
const POSITION_PREFIX = /^(\S+?):(\d+):(\d+): /;

/**
 * Splits a message into its position and the rest. The details' fields win over the prefix (a server
 * strips details on the wire, so the prefix is all a remote client has).
 */
export function splitPosition(message: string, details?: Readonly<Record<string, unknown>>): { text: string; position?: SourcePosition } {
  const match = POSITION_PREFIX.exec(message);
  const text = match === null ? message : message.slice(match[0].length);
  const { file, line, column } = details ?? {};
  if (typeof file === 'string' && typeof line === 'number' && typeof column === 'number') return { text, position: { file, line, column } };
  if (match === null) return { text };
  return { text, position: { file: match[1]!, line: Number(match[2]), column: Number(match[3]) } };
}

function expandTabs(text: string): string {
  let out = '';
  for (const ch of text) out += ch === '\t' ? ' '.repeat(TAB_WIDTH - (out.length % TAB_WIDTH)) : ch;
  return out;
}

/** The excerpt: the numbered source line, and a caret under `column` (counted in characters, from 1). */
function excerpt(sourceLine: string, position: SourcePosition, style: Style): string[] {
  const number = String(position.line);
  const shown = expandTabs(sourceLine.replace(/\r$/, ''));
  const before = expandTabs([...sourceLine].slice(0, Math.max(0, position.column - 1)).join(''));
  const gutter = ' '.repeat(number.length);
  return [`    ${style.dim(number + ' |')} ${shown}`, `    ${style.dim(gutter + ' |')} ${' '.repeat(before.length)}${style.red('^')}`];
}

/** The block's text, ending in a blank line so that blocks in a row stay apart. */
export function renderErrorBlock(block: ErrorBlock, style: Style): string {
  const [headline = '', ...rest] = block.text.split('\n');
  const lines = [`${style.bold(style.red('Error'))}${style.bold(':')} ${style.bold(headline)}`];
  if (block.position !== undefined) {
    const { file, line, column } = block.position;
    const where = `  on ${file} line ${line}, column ${column}`;
    lines.push('', ...(block.sourceLine !== undefined ? [`${where}:`, ...excerpt(block.sourceLine, block.position, style)] : [where]));
  }
  if (rest.length > 0) lines.push('', ...rest.map((l) => `  ${l}`));
  const hints = block.hints ?? [];
  if (hints.length > 0) lines.push('', ...hints.map((hint) => `  ${style.cyan('Hint:')} ${hint}`));
  if (block.code !== undefined) lines.push('', `  ${style.dim(`(${block.code})`)}`);
  return lines.join('\n') + '\n\n';
}
