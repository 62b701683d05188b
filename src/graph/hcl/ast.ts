/**
 * The syntax tree of an HCL v1 file, as the project's own parser produces it. Every value keeps the
 * position where it starts so that load, field and template errors can name file, line and column.
 * Declaration order is kept everywhere (switch cases depend on it).
 */
import type { SourcePosition } from '../../errors.js';

export type Position = SourcePosition & { readonly offset: number };

export interface HclKey {
  /** The key text, unquoted and unescaped. */
  readonly name: string;
  /** True when written as a string ("name") rather than an identifier. */
  readonly quoted: boolean;
  readonly pos: Position;
  /** The key as written (with quotes and escapes), for `fmt`. */
  readonly raw?: string;
}

/**
 * One item of an object list: `kind "name" { ... }` (keys kind, name; value object),
 * `field = value` (one key, `assign` true), or `block { ... }` (one key, `assign` false).
 */
export interface HclItem {
  readonly keys: readonly HclKey[];
  readonly assign: boolean;
  readonly value: HclValue;
  readonly pos: Position;
  /** Comment text directly above the item, lines joined with \n, markers kept (for `fmt`). */
  readonly leadComment?: string;
  /** Comment on the same line after the item (for `fmt`). */
  readonly lineComment?: string;
}

export type HclValue =
  | {
      readonly type: 'string';
      readonly value: string;
      readonly pos: Position;
      readonly heredoc?: boolean;
      /** The token as written (quotes, escapes, heredoc anchors), for `fmt`. */
      readonly raw?: string;
    }
  /** Integers and floats; HCL v1 reads `0755` as octal (493) and `0x1f` as hex. `raw` is the source text. */
  | {
      readonly type: 'number';
      readonly value: number;
      readonly raw: string;
      readonly pos: Position;
      /** True for HCL floats (a fraction or an exponent), false or absent for integers. */
      readonly float?: boolean;
    }
  | { readonly type: 'bool'; readonly value: boolean; readonly pos: Position }
  | {
      readonly type: 'list';
      readonly items: readonly HclValue[];
      readonly pos: Position;
      /** Position of the closing `]`. */
      readonly endPos?: Position;
    }
  | {
      readonly type: 'object';
      readonly items: readonly HclItem[];
      readonly pos: Position;
      /** Position of the closing `}`. */
      readonly endPos?: Position;
    };

/** A parsed file: the top-level object list. */
export interface HclFile {
  readonly file: string;
  readonly items: readonly HclItem[];
  /** Comments not attached to an item (for `fmt`). */
  readonly danglingComments?: readonly { readonly text: string; readonly pos: Position }[];
  /** Every comment in source order, markers kept (for `fmt`). `endLine` is the line it ends on. */
  readonly comments?: readonly { readonly text: string; readonly pos: Position; readonly endLine: number }[];
}
