/**
 * `converge validate <module>...`: loads each module in this process and runs the engine's full
 * validation (parse, dependencies, params, rendering and field checks) without checking or changing
 * anything. Unlike the original's, this catches unknown fields, bad values and missing required params.
 */
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import { hintsFor } from '../error-hints.js';
import { reportFailure, type FailureReport } from '../error-report.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { readParams, refuseVerifyModules } from '../job-setup.js';
import { outputFormat } from '../output-flags.js';
import { JsonLines } from '../render/json-lines.js';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export async function validateCommand(ctx: CommandContext): Promise<number> {
  refuseVerifyModules(ctx);
  const params = readParams(ctx);
  const json = outputFormat(ctx) === 'json' ? new JsonLines(ctx.stdout) : undefined;
  json?.header();
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
      json?.write({ type: 'summary', command: 'validate', file: location, ok: true, nodes });
    } catch (error) {
      const code = error instanceof ConvergeError ? error.code : 'CNV_ERR_INTERNAL';
      const report: FailureReport = {
        what: 'module is not valid',
        flags: ctx.args.flags,
        cwd: ctx.cwd,
        location,
        givenParams: Object.keys(params),
        sourceIsLocal: true,
      };
      reportFailure(log, error, report);
      json?.error(location, code, getErrorMessage(error), error instanceof ConvergeError ? hintsFor(error, report) : []);
      json?.write({ type: 'summary', command: 'validate', file: location, ok: false, nodes: 0 });
      status = EXIT.failed;
    }
  }
  return status;
}
