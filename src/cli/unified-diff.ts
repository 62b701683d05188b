/**
 * Line diffs in the unified format of `diff -u` (what `fmt --diff` prints). Lines are compared with
 * Myers' O((N+M)·D) algorithm, where D is the number of lines that differ: formatting touches few lines,
 * so even large modules diff quickly, and the trace kept for the backtrack is D+1 vectors.
 */

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string };

/** Lines context shown around each change, as `diff -u` does. */
const CONTEXT_LINES = 3;

/**
 * Marks a last line that has no newline, so that it differs from the same text with one (as in
 * `diff`, which then shows it as removed and added again).
 */
const NO_NEWLINE = '\u0000no newline';

function splitLines(text: string): string[] {
  if (text === '') return [];
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  if (!finalNewline) lines[lines.length - 1] += NO_NEWLINE;
  return lines;
}

/** The shortest edit script from `a` to `b`, as kept, removed and added lines in order. */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[k - 1 + offset]! < v[k + 1 + offset]!);
      let x = down ? v[k + 1 + offset]! : v[k - 1 + offset]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + offset] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const t = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && t[k - 1 + offset]! < t[k + 1 + offset]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = t[prevK + offset]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[--x]! });
      y--;
    }
    if (d > 0) {
      if (down) ops.push({ kind: '+', line: b[--y]! });
      else ops.push({ kind: '-', line: a[--x]! });
    }
  }
  return ops.reverse();
}

/**
 * `before` and `after` as a unified diff with `name` in the `---`/`+++` headers; '' when they are equal.
 * A last line without a newline is marked as `diff` marks it.
 */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  const out = [`--- ${name}`, `+++ ${name} (formatted)`];
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.kind === ' ') i++;
    if (i >= ops.length) break;
    // A hunk runs from CONTEXT_LINES before this change to CONTEXT_LINES after the last change that is
    // at most 2·CONTEXT_LINES unchanged lines from the one before it.
    const start = Math.max(0, i - CONTEXT_LINES);
    let end = i;
    let quiet = 0;
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.kind === ' ') {
        if (++quiet > 2 * CONTEXT_LINES) break;
      } else {
        quiet = 0;
        end = j;
      }
    }
    const stop = Math.min(ops.length, end + 1 + CONTEXT_LINES);
    out.push(...hunk(ops, start, stop));
    i = stop;
  }
  return out.join('\n') + '\n';
}

function hunk(ops: readonly Op[], start: number, stop: number): string[] {
  let oldLine = 0;
  let newLine = 0;
  for (let j = 0; j < start; j++) {
    if (ops[j]!.kind !== '+') oldLine++;
    if (ops[j]!.kind !== '-') newLine++;
  }
  let oldCount = 0;
  let newCount = 0;
  const body: string[] = [];
  for (let j = start; j < stop; j++) {
    const op = ops[j]!;
    if (op.line.endsWith(NO_NEWLINE)) body.push(op.kind + op.line.slice(0, -NO_NEWLINE.length), '\\ No newline at end of file');
    else body.push(op.kind + op.line);
    if (op.kind !== '+') oldCount++;
    if (op.kind !== '-') newCount++;
  }
  const range = (line: number, count: number): string => (count === 1 ? `${line + 1}` : `${count === 0 ? line : line + 1},${count}`);
  return [`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`, ...body];
}
