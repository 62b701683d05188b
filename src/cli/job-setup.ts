/**
 * What plan, apply, healthcheck and graph share: params from the flags, the runner the flags ask for,
 * and the JobSpec for each module argument.
 */
import path from 'node:path';
import { ConvergeError } from '../errors.js';
import type { JobKind, JobSpec } from '../protocol.js';
import type { CommandContext } from './command-context.js';
import { DEFAULT_PARALLELISM } from './defaults.js';
import { reportFailure, REPORTED } from './error-report.js';
import { parseParams } from './params.js';
import type { RunnerOptions } from './runner.js';
import { planOptionsFromFlags } from './saved-plan-flags.js';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function str(ctx: CommandContext, name: string): string {
  const value = ctx.args.flags[name];
  return typeof value === 'string' ? value : '';
}

function bool(ctx: CommandContext, name: string): boolean {
  return ctx.args.flags[name] === true;
}

/**
 * Params from `-p` and `--paramsJSON`. Each problem is reported (an ERROR line each in logfmt and JSON,
 * as in the original; one error block each on the terminal); any problem fails the command (exit 1).
 */
export function readParams(ctx: CommandContext): Record<string, unknown> {
  const pairs = (ctx.args.flags['params'] as string[] | undefined) ?? [];
  const { params, errors } = parseParams(pairs, str(ctx, 'paramsJSON'));
  if (errors.length === 0) return params;
  const blocks = ctx.log.format === 'terminal';
  for (const error of errors) {
    if (blocks) reportFailure(ctx.log, error, { what: 'error while parsing parameters', flags: ctx.args.flags, cwd: ctx.cwd });
    else ctx.log.error('error while parsing parameters', { error: error.message });
  }
  throw new ConvergeError('CNV_ERR_PARAM_MALFORMED', 'errors while parsing parameters, see log above', {
    count: errors.length,
    ...(blocks ? { [REPORTED]: true } : {}),
  });
}

/** Refuses --verify-modules: signature verification is not implemented, and silently skipping it would lie. */
export function refuseVerifyModules(ctx: CommandContext): void {
  if (bool(ctx, 'verify-modules')) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', '--verify-modules is not supported: module signatures cannot be checked');
  }
}

/** Runner options from the flags; CONVERGE_LOCAL=1 works through the flag's environment fallback. */
export function runnerOptions(ctx: CommandContext): RunnerOptions {
  return {
    local: bool(ctx, 'local'),
    localAddr: str(ctx, 'local-addr'),
    localAddrExplicit: ctx.args.explicit.has('local-addr'),
    rpcAddr: str(ctx, 'rpc-addr'),
    rpcToken: str(ctx, 'rpc-token'),
    rpcKeyName: str(ctx, 'rpc-key-name'),
    noToken: bool(ctx, 'no-token'),
    useSsl: bool(ctx, 'use-ssl'),
    caFile: str(ctx, 'ca-file'),
    certFile: str(ctx, 'cert-file'),
    keyFile: str(ctx, 'key-file'),
    parallelism: typeof ctx.args.flags['parallelism'] === 'number' ? ctx.args.flags['parallelism'] : DEFAULT_PARALLELISM,
    log: ctx.log,
    ...('plan-max-age' in ctx.args.flags ? { plans: planOptionsFromFlags(ctx.args.flags, ctx.cwd) } : {}),
  };
}

/**
 * The job for one module argument. With --local the path is made absolute (the in-process server shares
 * our cwd); a remote server resolves paths itself, against its own directory, as the original did.
 */
export function jobFor(ctx: CommandContext, kind: JobKind, location: string, params: Record<string, unknown>): JobSpec {
  const local = bool(ctx, 'local');
  const resolved = local && !URL_SCHEME.test(location) ? path.resolve(ctx.cwd, location) : location;
  const parallelism = ctx.args.flags['parallelism'];
  if (typeof parallelism === 'number' && parallelism < 1) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', `--parallelism must be at least 1, got ${parallelism}`);
  }
  return {
    kind,
    location: resolved,
    params,
    cwd: ctx.cwd,
    parallelism: typeof parallelism === 'number' ? parallelism : DEFAULT_PARALLELISM,
  };
}
