/**
 * What to do about a failure, as the command line sees it: the flag to add or check, the command to
 * run. The engine and the server word their errors for every client; only here is it known that the
 * caller typed `-p`, `--rpc-token` or `--local`, so the advice that names flags lives here.
 */
import path from 'node:path';
import type { ConvergeError } from '../errors.js';
import { suggestNames } from '../resources/suggest.js';
import type { FlagValue } from './args.js';
import { splitPosition } from './render/error-block.js';

export interface HintContext {
  /** The command's parsed flags (with defaults), to name the ones in play. */
  readonly flags: Readonly<Record<string, FlagValue>>;
  readonly cwd: string;
  /** The module argument of the failed job, as given. */
  readonly location?: string;
  /** Param names given with -p or --paramsJSON. */
  readonly givenParams?: readonly string[];
}

const CONNECTION_REFUSED = /ECONNREFUSED|connection refused/i;

function flagText(flags: HintContext['flags'], name: string): string {
  const value = flags[name];
  return typeof value === 'string' ? value : '';
}

function unreachable(error: ConvergeError, context: HintContext): string[] {
  const address = flagText(context.flags, 'rpc-addr');
  // local-addr, not local: runs and attach take --local only to refuse it, and have no --local-addr.
  const canRunLocally = 'local-addr' in context.flags;
  if (CONNECTION_REFUSED.test(error.message)) {
    return [
      canRunLocally
        ? `nothing listens at ${address}: start a server there with "converge server", or run this command in-process with --local`
        : `nothing listens at ${address}: start a server there with "converge server", or point --rpc-addr at one`,
    ];
  }
  return [`check that --rpc-addr (${address}) names a running converge server that this machine can reach`];
}

/** The param's name from a CNV_ERR_PARAM_REQUIRED error: its id when the error kept details, else its text. */
function requiredParamName(error: ConvergeError): string | undefined {
  const id = error.details?.['id'];
  if (typeof id === 'string') return id.slice(id.lastIndexOf('param.') + 'param.'.length);
  return /^(.+) param is required$/.exec(splitPosition(error.message).text)?.[1];
}

/**
 * Whether the missing param belongs to the top-level module, the only one `-p` reaches. The id says so
 * when the error kept its details (--local); over the wire, the file it was declared in is compared
 * with the module argument (a module cannot include itself, so only the top level is declared there).
 */
function isTopLevelParam(error: ConvergeError, context: HintContext): boolean {
  const id = error.details?.['id'];
  if (typeof id === 'string') return /^root\/param\.[^/]+$/.test(id);
  const file = splitPosition(error.message).position?.file;
  if (file === undefined || context.location === undefined) return true;
  return path.resolve(context.cwd, file) === path.resolve(context.cwd, context.location) || file === context.location;
}

function missingParam(error: ConvergeError, context: HintContext): string[] {
  const name = requiredParamName(error);
  if (name === undefined) return [];
  if (!isTopLevelParam(error, context)) {
    const file = splitPosition(error.message, error.details).position?.file ?? 'that module';
    return [`${name} is a param of ${file}: pass it in the params of the module call that includes ${file}`];
  }
  const hints = [`pass it on the command line: -p ${name}=… (or --paramsJSON '{"${name}": …}')`];
  const close = suggestNames(name, context.givenParams ?? [], 2).filter((given) => given !== name);
  if (close.length > 0) hints.push(`-p ${close[0]} was given: did you mean -p ${name}?`);
  return hints;
}

const REMOTE_URL = /^https?:\/\//i;

/**
 * A module the server could not find on its own file system. A remote run reads paths on the server
 * (as the original did); that the file is on this machine instead is the common case, and --upload is
 * the way to send it. Not said when the job ran here (--local), already uploaded, or named a URL.
 */
function notOnServer(context: HintContext): string[] {
  const { flags } = context;
  if (!('upload' in flags) || flags['upload'] === true || flags['local'] === true) return [];
  if (context.location !== undefined && REMOTE_URL.test(context.location)) return [];
  return ['module paths resolve on the server, against its own directory: use --upload to send the local module (and the local modules it includes)'];
}

/** Advice for `error`, one sentence each; empty when the message says all there is. */
export function hintsFor(error: ConvergeError, context: HintContext): string[] {
  switch (error.code) {
    case 'CNV_ERR_SERVER_UNREACHABLE':
      return unreachable(error, context);
    case 'CNV_ERR_AUTH_INVALID':
      return ['the server refused the token: check that --rpc-token (or CONVERGE_RPC_TOKEN) is the token the server was started with'];
    case 'CNV_ERR_AUTH_MISSING':
      return ['the server wants a token: pass --rpc-token (or set CONVERGE_RPC_TOKEN) with the token the server was started with'];
    case 'CNV_ERR_AUTH_EXPIRED':
      return ["the server read the token as expired: check that this machine's clock and the server's agree, and check --rpc-token"];
    case 'CNV_ERR_PARAM_REQUIRED':
      return missingParam(error, context);
    case 'CNV_ERR_LOAD_NOT_FOUND':
    case 'CNV_ERR_MODULE_NOT_FOUND':
      return notOnServer(context);
    case 'CNV_ERR_PARAM_MALFORMED':
      return error.message.startsWith('malformed parameter') ? ['write each param as -p name=value'] : [];
    default:
      return [];
  }
}
