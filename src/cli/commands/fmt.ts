/**
 * `converge fmt <file>...`: rewrites each file in canonical HCL layout, keeping its mode; the new text
 * goes to a temporary file that is renamed over the old one, so a crash never leaves half a file.
 * `-` reads a module from stdin and writes the formatted text to stdout. `--check` writes nothing,
 * lists the files that need formatting on stdout and exits 1; `--diff` prints what would change as a
 * unified diff and writes nothing. A file that cannot be read or parsed is an error (exit 1).
 */
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { unifiedDiff } from '../unified-diff.js';

type Formatter = (source: string, file: string) => string;

/** Name of standard input in messages and diff headers. */
const STDIN_NAME = '<stdin>';

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function writeKeepingMode(absolute: string, formatted: string): void {
  const mode = statSync(absolute).mode & 0o7777;
  const temporary = path.join(path.dirname(absolute), `.${path.basename(absolute)}.converge-fmt-${process.pid}`);
  try {
    writeFileSync(temporary, formatted, { mode });
    chmodSync(temporary, mode);
    renameSync(temporary, absolute);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Formats one file (or stdin for `-`); resolves to true when it was already formatted. */
async function formatOne(ctx: CommandContext, format: Formatter, file: string): Promise<boolean> {
  const check = ctx.args.flags['check'] === true;
  const diff = ctx.args.flags['diff'] === true;
  const fromStdin = file === '-';
  const shown = fromStdin ? STDIN_NAME : file;
  const absolute = path.resolve(ctx.cwd, file);
  const source = fromStdin ? await readStdin(ctx.stdin) : readFileSync(absolute, 'utf8');
  const formatted = format(source, shown);
  const same = formatted === source;
  if (diff) ctx.stdout.write(unifiedDiff(shown, source, formatted));
  if (check) {
    if (!same && !diff) ctx.stdout.write(`${shown}\n`);
  } else if (fromStdin) {
    if (!diff) ctx.stdout.write(formatted);
  } else if (!same && !diff) {
    writeKeepingMode(absolute, formatted);
    ctx.log.child({ file }).info('formatted');
  }
  return same;
}

export async function fmtCommand(ctx: CommandContext): Promise<number> {
  const { formatHcl } = await import('../../graph/index.js');
  const files = ctx.args.positionals;
  if (files.filter((f) => f === '-').length > 1) throw new ConvergeError('CNV_ERR_CLI_USAGE', '"-" (stdin) may be given only once');
  let status: number = EXIT.ok;
  let unformatted = 0;
  for (const file of files) {
    try {
      if (!(await formatOne(ctx, formatHcl, file))) unformatted++;
    } catch (error) {
      ctx.log.child({ file: file === '-' ? STDIN_NAME : file }).error('could not format file', {
        error: getErrorMessage(error),
        ...(error instanceof ConvergeError ? { code: error.code } : {}),
      });
      status = EXIT.failed;
    }
  }
  if (ctx.args.flags['check'] === true && unformatted > 0) {
    ctx.log.info(`${unformatted} ${unformatted === 1 ? 'file needs' : 'files need'} formatting; run "converge fmt" on ${unformatted === 1 ? 'it' : 'them'}`);
    status = EXIT.failed;
  }
  return status;
}
