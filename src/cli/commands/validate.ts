/**
 * `converge validate <module>...`: loads each module in this process and runs the engine's full
 * validation (parse, dependencies, params, rendering and field checks) without checking or changing
 * anything. Unlike the original's, this catches unknown fields, bad values and missing required params.
 */
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { EXIT } from '../defaults.js';
import { readParams, refuseVerifyModules } from '../job-setup.js';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export async function validateCommand(ctx: CommandContext): Promise<number> {
  refuseVerifyModules(ctx);
  const params = readParams(ctx);
  const { validateJob } = await import('../../graph/index.js');
  let status: number = EXIT.ok;
  for (const location of ctx.args.positionals) {
    const log = ctx.log.child({ file: location });
    try {
      const { nodes } = await validateJob({
        kind: 'plan',
        location: URL_SCHEME.test(location) ? location : path.resolve(ctx.cwd, location),
        params,
        cwd: ctx.cwd,
        parallelism: 1,
      });
      log.info('module valid', { nodes });
    } catch (error) {
      log.fatal('module is not valid', {
        error: getErrorMessage(error),
        ...(error instanceof ConvergeError ? { code: error.code } : {}),
      });
      status = EXIT.failed;
    }
  }
  return status;
}
