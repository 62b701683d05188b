/** Flags for machine-read output: `--output json` and `--detailed-exitcode` (issue 15). */
import { usageError, type FlagSpec } from './args.js';
import type { CommandContext } from './command-context.js';

export type OutputFormat = 'human' | 'json';

/** Reads `--output`; undefined for anything but human or json. */
export function parseOutputFormat(value: unknown): OutputFormat | undefined {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === '' || text === 'human') return 'human';
  if (text === 'json') return 'json';
  return undefined;
}

export const OUTPUT_FLAG: FlagSpec = {
  name: 'output',
  short: 'o',
  type: 'string',
  default: 'human',
  valueName: 'format',
  description: 'human, or json: JSON lines on stdout (docs/json-output.md)',
};

export const DETAILED_EXITCODE_FLAG: FlagSpec = {
  name: 'detailed-exitcode',
  type: 'bool',
  description: 'plan: exit 0 no changes, 2 changes pending, 1 error; healthcheck: 3 unhealthy',
};

/** The format `--output` asks for; an unknown one is a usage error (exit 255). */
export function outputFormat(ctx: CommandContext): OutputFormat {
  const format = parseOutputFormat(ctx.args.flags['output']);
  if (format === undefined) throw usageError(`--output must be human or json, got "${String(ctx.args.flags['output'])}"`);
  return format;
}
