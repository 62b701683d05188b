/**
 * `converge fmt <file>...`: rewrites each file in canonical HCL layout, keeping its mode; the new text
 * goes to a temporary file that is renamed over the old one, so a crash never leaves half a file.
 * `--check` writes nothing and exits 1 when any file would change.
 */
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { EXIT } from '../defaults.js';

export async function fmtCommand(ctx: CommandContext): Promise<number> {
  const { formatHcl } = await import('../../graph/index.js');
  const check = ctx.args.flags['check'] === true;
  let status: number = EXIT.ok;
  for (const file of ctx.args.positionals) {
    const log = ctx.log.child({ file });
    const absolute = path.resolve(ctx.cwd, file);
    try {
      const source = readFileSync(absolute, 'utf8');
      const formatted = formatHcl(source, file);
      if (formatted === source) {
        log.debug('already formatted');
        continue;
      }
      if (check) {
        log.fatal('needs formatting');
        status = EXIT.failed;
        continue;
      }
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
      log.info('formatted');
    } catch (error) {
      log.fatal('could not format file', {
        error: getErrorMessage(error),
        ...(error instanceof ConvergeError ? { code: error.code } : {}),
      });
      status = EXIT.failed;
    }
  }
  return status;
}
