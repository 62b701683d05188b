/**
 * One log line, at INFO, for every request the server refuses on its own account: credentials missing
 * or wrong, a full queue, a shutdown in progress. An operator can then tell a misconfigured client or
 * a scan from an outage by the peer address and the reason. The reason is our own error message,
 * never the credential: the messages of auth.ts and jwt.ts quote no token, and redactSecrets is a
 * second line of defence for anything a client managed to put in one. Connections refused at the cap
 * are logged by listener.ts (at most one line a second there, with a count, since they come before any
 * authentication and could flood the log).
 */
import { ConvergeError, type ErrorCode } from '../errors.js';
import { redactSecrets } from './grpc-logging.js';
import type { Logger } from './logger.js';

const REFUSALS: Readonly<Partial<Record<ErrorCode, string>>> = {
  CNV_ERR_AUTH_MISSING: 'auth',
  CNV_ERR_AUTH_INVALID: 'auth',
  CNV_ERR_AUTH_EXPIRED: 'auth',
  CNV_ERR_QUEUE_FULL: 'admission',
  CNV_ERR_SERVER_SHUTTING_DOWN: 'admission',
};

export interface RequestFields {
  /** `address:port` of the client. */
  readonly peer: string;
  /** `Service.Method` or `VERB /path`. */
  readonly method: string;
}

/** Logs `error` when it is a refusal; returns whether it was. */
export function logRefusal(logger: Logger, error: unknown, request: RequestFields): boolean {
  if (!(error instanceof ConvergeError)) return false;
  const kind = REFUSALS[error.code];
  if (kind === undefined) return false;
  logger.log('INFO', 'request refused', {
    peer: request.peer,
    method: request.method,
    refusal: kind,
    code: error.code,
    reason: redactSecrets(error.message),
  });
  return true;
}

/** A gRPC peer (`ipv4:1.2.3.4:5`, `ipv6:[::1]:5`) in the `address:port` form the HTTP side uses. */
export function grpcPeer(peer: string): string {
  return peer.replace(/^(ipv4|ipv6|unix):/, '');
}

/** An HTTP client's `address:port`, IPv4-mapped addresses shown as IPv4. */
export function socketPeer(socket: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined }): string {
  const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const shown = address.includes(':') ? `[${address}]` : address;
  return socket.remotePort === undefined ? shown : `${shown}:${socket.remotePort}`;
}
