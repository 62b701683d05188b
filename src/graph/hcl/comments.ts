/**
 * HCL v1's comment grouping: adjacent comments form a group; a group on the previous token's line
 * followed by a line break is a line comment, and the last group ending on the line just above the
 * next token is a lead comment (unless that token closes a list or an object).
 */
import type { Position } from './ast.js';

/** A comment as written, markers kept; `endLine` is the line of its last character. */
export interface HclComment {
  readonly text: string;
  readonly pos: Position;
  readonly endLine: number;
}

/** Comments HCL v1 treats as one unit (a lead or line comment of a node). */
export type CommentGroup = readonly HclComment[];

/** Groups the comments `all[from..]`, found between a token on `prevLine` and one on `nextLine`. */
export function groupComments(
  all: readonly HclComment[],
  from: number,
  prevLine: number,
  nextLine: number,
  nextCloses: boolean,
): { groups: CommentGroup[]; line?: CommentGroup; lead?: CommentGroup } {
  const groups: CommentGroup[] = [];
  let i = from;
  const group = (gap: number): [HclComment[], number] => {
    const first = all[i] as HclComment;
    let endLine = first.pos.line;
    const out: HclComment[] = [];
    while (i < all.length && (all[i] as HclComment).pos.line <= endLine + gap) {
      const c = all[i] as HclComment;
      out.push(c);
      endLine = c.endLine;
      i++;
    }
    groups.push(out);
    return [out, endLine];
  };
  let line: CommentGroup | undefined;
  if ((all[i] as HclComment).pos.line === prevLine) {
    const [g, endLine] = group(0);
    if (nextLine !== endLine) line = g;
  }
  let last: HclComment[] | undefined;
  let endLine = -1;
  while (i < all.length) [last, endLine] = group(1);
  const lead = last && endLine + 1 === nextLine && !nextCloses ? last : undefined;
  return { groups, ...(line && { line }), ...(lead && { lead }) };
}
