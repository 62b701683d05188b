/**
 * grpc-js logs on its own (to stderr by default), and some of its lines quote request headers: a
 * malformed `authorization` entry is logged with its value, which is the client's JWT. Its logger is
 * process-wide, so every server routes it here: lines go to the server's logger with anything that
 * looks like a credential removed, and grpc-js's debug tracing stays off unless GRPC_TRACE asks for it.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from './logger.js';

/** JWTs (three base64url parts), Bearer/Basic credentials, and the value of any *authorization* entry. */
const SECRETS: readonly RegExp[] = [
  /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g,
  /\b(bearer|basic)[\s:=]+\S+/gi,
  /(authorization[^:=]*[:=]\s*)[^\s,;]+(?:[\s]+[^\s,;.]+)?/gi,
];

export function redactSecrets(text: string): string {
  let out = text;
  out = out.replace(SECRETS[0]!, '[redacted]');
  out = out.replace(SECRETS[1]!, '$1 [redacted]');
  out = out.replace(SECRETS[2]!, '$1[redacted]');
  return out;
}

let current: Logger | undefined;

function forward(level: 'DEBUG' | 'INFO' | 'ERROR') {
  return (...args: unknown[]): void => {
    const text = args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
    current?.log(level === 'ERROR' ? 'WARN' : level, 'grpc', { component: 'grpc', message: redactSecrets(text) });
  };
}

/** Routes grpc-js's log through `logger` (the latest server's, since grpc-js has one logger per process). */
export function installGrpcLogger(logger: Logger): void {
  current = logger;
  grpc.setLogger({ error: forward('ERROR'), info: forward('INFO'), debug: forward('DEBUG') } as unknown as Console);
  if (process.env['GRPC_TRACE'] === undefined && process.env['GRPC_VERBOSITY'] === undefined) {
    grpc.setLogVerbosity(grpc.logVerbosity.ERROR);
  }
}
