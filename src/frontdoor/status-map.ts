/**
 * The only place that knows gRPC and HTTP status codes. Errors are translated by class, so a new error
 * code never needs an edit here; a new class fails to compile until it is mapped.
 */
import { status } from '@grpc/grpc-js';
import { ConvergeError, type ErrorClass } from '../errors.js';

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
  412: 'Precondition Failed',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
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
