/**
 * Column alignment with the semantics of Go's text/tabwriter, which the original's human printer runs every
 * node block through. Matching it byte for byte matters because users (and the conformance kit) diff our
 * output against the original's.
 *
 * Model: text is cut into lines; inside a line every tab ends a cell, and the text after the last tab is a
 * trailing cell that never takes part in alignment. A column block is a run of consecutive lines that all
 * have a tab-terminated cell at that column index; each such cell is padded to the widest cell of its block
 * plus `padding`. Widths count Unicode code points, escape sequences included (Go counts runes).
 */

export interface TabwriterOptions {
  /** Smallest width of a column, padding included. @default 0 */
  readonly minWidth?: number;
  /** Spaces added to the widest cell of a block. @default 1 */
  readonly padding?: number;
}

interface Cell {
  readonly text: string;
  readonly width: number;
}

/** Code points, as `for...of` counts them (a lone surrogate is one), without an iterator per cell. */
function runeCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** Aligns `text` as Go's `tabwriter.NewWriter(w, minWidth, _, padding, ' ', 0)` followed by Flush would. */
export function alignTabs(text: string, options: TabwriterOptions = {}): string {
  const minWidth = options.minWidth ?? 0;
  const padding = options.padding ?? 1;
  if (!text.includes('\t')) return text;
  const lines: Cell[][] = text.split('\n').map((line) => line.split('\t').map((t) => ({ text: t, width: runeCount(t) })));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      let rendered = '';
      for (let j = 0; j < line.length; j++) {
        const cell = line[j]!;
        rendered += cell.text;
        const width = widths[j];
        if (j < line.length - 1 && width !== undefined) rendered += ' '.repeat(Math.max(0, width - cell.width));
      }
      out.push(rendered);
    }
  };

  // Recursive descent over column blocks, as Go's format() does: a block at column k is found among the
  // lines of the enclosing block at column k-1, and lines outside any deeper block are written as they are.
  const format = (lineFrom: number, lineTo: number): void => {
    const column = widths.length;
    let start = lineFrom;
    for (let i = lineFrom; i < lineTo; i++) {
      if (column >= lines[i]!.length - 1) continue;
      writeLines(start, i);
      start = i;
      let width = minWidth;
      for (; i < lineTo; i++) {
        const line = lines[i]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column]!.width + padding);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i;
      i--; // the outer loop's i++ must look at the line that ended the block
    }
    writeLines(start, lineTo);
  };

  format(0, lines.length);
  return out.join('\n');
}
