/**
 * The only place that knows gRPC and HTTP status codes, in both directions: errors to statuses for
 * the server (translated by class, so a new error code never needs an edit here; a new class fails to
 * compile until it is mapped), and statuses back to error codes for the client when a server sent none.
 */
import { status } from '@grpc/grpc-js';
import { ConvergeError, isErrorCode, type ErrorClass, type ErrorCode } from '../errors.js';

export interface WireStatus {
  readonly grpc: status;
  readonly http: number;
}

export const STATUS_MAP = {
  'invalid-input': { grpc: status.INVALID_ARGUMENT, http: 400 },
  'not-found': { grpc: status.NOT_FOUND, http: 404 },
  unauthenticated: { grpc: status.UNAUTHENTICATED, http: 401 },
  'permission-denied': { grpc: status.PERMISSION_DENIED, http: 403 },
  exhausted: { grpc: status.RESOURCE_EXHAUSTED, http: 503 },
  'failed-precondition': { grpc: status.FAILED_PRECONDITION, http: 412 },
  // gRPC has no bad-gateway status; FAILED_PRECONDITION says "not retryable as is", which is right: the
  // server is up, the thing it was asked to fetch is not there.
  'bad-gateway': { grpc: status.FAILED_PRECONDITION, http: 502 },
  unavailable: { grpc: status.UNAVAILABLE, http: 503 },
  cancelled: { grpc: status.CANCELLED, http: 499 },
  deadline: { grpc: status.DEADLINE_EXCEEDED, http: 504 },
  internal: { grpc: status.INTERNAL, http: 500 },
} as const satisfies Record<ErrorClass, WireStatus>;

/** Trailing metadata key carrying the ConvergeError code, so clients can rebuild the exact error. */
export const ERROR_CODE_METADATA = 'converge-error-code';

const UNKNOWN: WireStatus = { grpc: status.UNKNOWN, http: 500 };

/** Reason phrases for the statuses above, for grpc-gateway style error bodies. */
const HTTP_REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface MappedError extends WireStatus {
  /** Text safe to send to the client. */
  readonly message: string;
  /** False for errors that are not ConvergeErrors: the caller logs them, the client sees a generic text. */
  readonly known: boolean;
  readonly code?: string;
}

/** Maps any thrown value to a transport status. Unknown errors never echo their text to the client. */
export function mapError(error: unknown): MappedError {
  if (error instanceof ConvergeError) {
    return { ...STATUS_MAP[error.errorClass], message: error.message, known: true, code: error.code };
  }
  return { ...UNKNOWN, message: 'internal error', known: false };
}

export function httpReason(code: number): string {
  return HTTP_REASONS[code] ?? 'Error';
}

/** An HTTP request for no route (404) or for a route with another verb (405), as grpc-gateway answered. */
export function routeMissStatus(pathKnown: boolean): WireStatus {
  return pathKnown ? { grpc: status.UNIMPLEMENTED, http: 405 } : { grpc: status.NOT_FOUND, http: 404 };
}

/** The error code for a gRPC status from a server (or transport) that sent no converge-error-code. */
export function errorCodeForStatus(code: status): ErrorCode {
  switch (code) {
    case status.UNAUTHENTICATED:
      return 'CNV_ERR_AUTH_INVALID';
    case status.RESOURCE_EXHAUSTED:
      return 'CNV_ERR_QUEUE_FULL';
    case status.UNAVAILABLE:
      return 'CNV_ERR_SERVER_UNREACHABLE';
    case status.CANCELLED:
      return 'CNV_ERR_JOB_CANCELLED';
    case status.DEADLINE_EXCEEDED:
      return 'CNV_ERR_JOB_TIMEOUT';
    case status.INVALID_ARGUMENT:
      return 'CNV_ERR_SERVER_REQUEST_INVALID';
    default:
      return 'CNV_ERR_INTERNAL';
  }
}

/** The parts of a grpc-js ServiceError that the client reads. */
interface StatusLike {
  readonly code?: unknown;
  readonly details?: string;
  readonly metadata?: { get(key: string): unknown[] };
}

/**
 * The cause inside grpc-js's wording of a failed connection: "No connection established. Last error:
 * Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: " says "connect ECONNREFUSED 127.0.0.1:1".
 * Any other text is kept as it is.
 */
export function transportReason(details: string): string {
  const match = /Last error: (?:Error: )?(.+?)\.?(?: Resolution note: ?(.*))?$/s.exec(details);
  if (match === null) return details;
  const note = match[2]?.trim() ?? '';
  return note === '' ? match[1]! : `${match[1]!} (${note})`;
}

/** Rebuilds a ConvergeError from a gRPC error, keeping the server's code when it sent one. */
export function fromServiceError(error: unknown, address: string): ConvergeError {
  const service: StatusLike = typeof error === 'object' && error !== null ? error : {};
  if (typeof service.code !== 'number') return new ConvergeError('CNV_ERR_INTERNAL', String(error));
  const sent = service.metadata?.get(ERROR_CODE_METADATA)[0];
  const code = isErrorCode(sent) ? sent : errorCodeForStatus(service.code);
  const message =
    service.code === status.UNAVAILABLE && !isErrorCode(sent)
      ? `cannot reach converge server at ${address}: ${transportReason(service.details ?? '')}`
      : (service.details ?? 'request failed');
  return new ConvergeError(code, message, { grpcCode: service.code });
}
