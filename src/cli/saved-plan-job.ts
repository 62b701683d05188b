/**
 * The CLI's side of saved plans: `plan -out FILE` asks the server for a signed plan file and writes it;
 * `apply FILE` sends a plan file's text (read here, on the client) for the server to check and apply.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../errors.js';
import { looksLikePlanFile } from '../plan-file.js';
import { usageError } from './args.js';
import type { CommandContext } from './command-context.js';
import { DEFAULT_PARALLELISM } from './defaults.js';
import type { Logger } from './log.js';
import type { JsonLines } from './render/json-lines.js';
import type { ClientJob } from './runner.js';

/** `-out FILE` of a plan: one module only, and the file is resolved against our cwd. */
export function planOutPath(ctx: CommandContext): string | undefined {
  const out = ctx.args.flags['out'];
  if (typeof out !== 'string' || out === '') return undefined;
  if (ctx.args.positionals.length !== 1) throw usageError(`-out saves one module's plan, got ${ctx.args.positionals.length} modules`);
  return path.resolve(ctx.cwd, out);
}

/** Reads a local file if it is a saved plan; undefined for anything else (a module path on the server). */
function readPlanFile(file: string): string | undefined {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(64);
      const read = fs.readSync(fd, head, 0, head.length, 0);
      if (!looksLikePlanFile(head.subarray(0, read).toString('utf8'))) return undefined;
    } finally {
      fs.closeSync(fd);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw new ConvergeError('CNV_ERR_LOAD_READ', `cannot read ${file}: ${getErrorMessage(error)}`);
  }
  return text;
}

/**
 * The job for `apply FILE` when FILE is a saved plan: module, includes and params all come from the
 * plan, so params on the command line are refused rather than silently ignored.
 */
export function savedPlanJob(ctx: CommandContext, location: string): ClientJob | undefined {
  const text = readPlanFile(path.resolve(ctx.cwd, location));
  if (text === undefined) return undefined;
  if (ctx.args.explicit.has('params') || ctx.args.explicit.has('paramsJSON')) {
    throw usageError('a saved plan carries its own params; -p and --paramsJSON cannot change them');
  }
  const parallelism = ctx.args.flags['parallelism'];
  return {
    kind: 'apply',
    location,
    params: {},
    cwd: ctx.cwd,
    parallelism: typeof parallelism === 'number' ? parallelism : DEFAULT_PARALLELISM,
    savedPlan: text,
  };
}

/**
 * Writes the plan file the server sent, readable only by its owner (it holds the module and its params).
 * No file means the plan had errors: the server signs only plans that could be applied.
 */
export function writePlanFile(file: string, text: string | undefined): void {
  if (text === undefined) {
    throw new ConvergeError('CNV_ERR_PLAN_NOT_SAVED', `no plan file written to ${file}: the plan has errors (or the server does not save plans)`);
  }
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** Writes the plan file and says so (a log line, and a `plan-saved` JSON line); false when it could not. */
export function savePlanFile(out: string, text: string | undefined, log: Logger, json: JsonLines | undefined, location: string): boolean {
  try {
    writePlanFile(out, text);
  } catch (error) {
    const code = error instanceof ConvergeError ? error.code : 'CNV_ERR_INTERNAL';
    log.error('could not save the plan', { error: getErrorMessage(error), code });
    json?.error(location, code, getErrorMessage(error));
    return false;
  }
  log.info('plan saved', { out });
  json?.write({ type: 'plan-saved', file: location, path: out });
  return true;
}
