/**
 * What a command body receives: its parsed arguments, logger, environment and streams. It has a file of
 * its own so that the command bodies (commands/*.ts) and the command table (commands.ts), which loads
 * them on first use, do not import each other.
 */
import type { ParsedArgs } from './args.js';
import type { Logger } from './log.js';

export interface CommandContext {
  readonly name: string;
  readonly args: ParsedArgs;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on the first Ctrl-C. */
  readonly signal: AbortSignal;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Whether stderr is a terminal, known without building the stream (see cli.ts). */
  readonly stderrIsTty: boolean;
  readonly noColor: boolean;
}
