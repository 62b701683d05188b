/**
 * HCL v1 for Converge: parse to a positioned syntax tree, convert to the plain structure HCL v1's
 * decoder produces, and format (`converge fmt`).
 */
import type { HclFile } from './ast.js';
import { format } from './format.js';
import { parse, type HclParseOptions } from './parser.js';

export type { HclFile, HclItem, HclKey, HclValue, Position } from './ast.js';
export type { HclParseOptions } from './parser.js';
export { toPlain } from './plain.js';

/**
 * Parses HCL v1 source into a syntax tree that keeps declaration order and positions.
 * @throws ConvergeError `CNV_ERR_HCL_PARSE`, message `file:line:column: ...` (1-based, columns in characters);
 *   `CNV_ERR_LIMIT_NESTING` past `options.maxNesting`.
 */
export function parseHcl(source: string, file: string, options?: HclParseOptions): HclFile {
  return parse(source, file, options);
}

/**
 * Formats HCL v1 source the way HashiCorp's HCL v1 printer does (`converge fmt`). Idempotent.
 * @throws ConvergeError `CNV_ERR_HCL_PARSE` when the source does not parse.
 */
export function formatHcl(source: string, file: string): string {
  return format(source, file);
}
