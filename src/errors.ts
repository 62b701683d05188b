/**
 * The one place where Converge errors are defined. Every error that leaves a module carries a stable
 * `code` (CNV_ERR_<AREA>_<WHAT>); callers and tests match on the code, never on the message.
 *
 * Each code belongs to a class. Transports translate classes, not codes (frontdoor/status-map.ts), so
 * adding a code never needs an edit outside this file, and no code can exist without a wire mapping.
 * Codes are never reused once retired.
 */

/** How an error should be treated by a transport. */
export type ErrorClass =
  | 'invalid-input' // the request or module is wrong: fix the input and retry
  | 'not-found'
  | 'unauthenticated'
  | 'permission-denied'
  | 'exhausted' // limits reached: retry later
  | 'failed-precondition' // the module is well-formed but cannot run as asked
  | 'bad-gateway' // something the server fetches on the caller's behalf (a remote module) failed
  | 'unavailable' // a peer (server, registry, engine) cannot be reached
  | 'cancelled'
  | 'deadline'
  | 'internal';

export const ERROR_CODES = {
  // HCL syntax and module loading
  CNV_ERR_HCL_PARSE: 'invalid-input',
  CNV_ERR_LOAD_FETCH: 'bad-gateway', // a remote (http/https) module could not be downloaded
  CNV_ERR_LOAD_NOT_FOUND: 'not-found', // a local module file does not exist (or is a directory)
  CNV_ERR_LOAD_READ: 'failed-precondition', // a local module file exists but cannot be read (permissions)
  CNV_ERR_LOAD_PROTOCOL: 'invalid-input',
  CNV_ERR_LOAD_STRUCTURE: 'invalid-input', // key-count rules, names, duplicates, switch restrictions
  CNV_ERR_LOAD_RESOURCE_TYPE: 'invalid-input',
  CNV_ERR_LOAD_SOURCE: 'invalid-input', // a module source is not a usable path or URL (NUL, malformed URL)
  CNV_ERR_LOAD_MODULE_CYCLE: 'invalid-input', // a module includes itself, directly or through others
  CNV_ERR_UPLOAD_PATH: 'invalid-input', // --upload: an include leaves the top module's directory, or a files key does (.., absolute)
  CNV_ERR_UPLOAD_TOO_LARGE: 'invalid-input', // --upload: the module texts exceed MAX_UPLOAD_BYTES (src/defaults.ts)
  // per-run limits (src/graph/limits.ts); each message names the limit, its value and its flag
  CNV_ERR_LIMIT_TEMPLATE_STEPS: 'failed-precondition',
  CNV_ERR_LIMIT_TEMPLATE_OUTPUT: 'failed-precondition',
  CNV_ERR_LIMIT_NESTING: 'invalid-input',
  CNV_ERR_LIMIT_MODULE_DEPTH: 'invalid-input',
  CNV_ERR_LIMIT_MODULES: 'failed-precondition',
  CNV_ERR_LIMIT_MODULE_SIZE: 'failed-precondition',
  CNV_ERR_LIMIT_NODES: 'failed-precondition',
  CNV_ERR_LIMIT_NODE_TIME: 'deadline',
  CNV_ERR_LIMIT_RUN_TIME: 'deadline',
  // graph construction
  CNV_ERR_GRAPH_CYCLE: 'failed-precondition',
  CNV_ERR_GRAPH_MISSING_DEPENDENCY: 'invalid-input',
  CNV_ERR_GRAPH_LOOKUP: 'invalid-input',
  // params and templates
  CNV_ERR_PARAM_REQUIRED: 'invalid-input',
  CNV_ERR_PARAM_UNKNOWN: 'invalid-input',
  CNV_ERR_PARAM_MALFORMED: 'invalid-input',
  CNV_ERR_TEMPLATE_PARSE: 'invalid-input',
  CNV_ERR_TEMPLATE_EXEC: 'invalid-input',
  // resource field decoding and validation
  CNV_ERR_FIELD_UNKNOWN: 'invalid-input',
  CNV_ERR_FIELD_REQUIRED: 'invalid-input',
  CNV_ERR_FIELD_INVALID: 'invalid-input',
  CNV_ERR_FIELD_CONFLICT: 'invalid-input',
  // running
  CNV_ERR_RESOURCE_FAILED: 'internal',
  CNV_ERR_DOCKER_UNREACHABLE: 'unavailable', // the Docker engine named by DOCKER_HOST cannot be reached
  CNV_ERR_DOCKER_API: 'failed-precondition', // the Docker engine refused a request
  CNV_ERR_SYSTEMD_UNREACHABLE: 'unavailable', // the D-Bus system bus (systemd's manager) cannot be reached
  CNV_ERR_SYSTEMD_UNIT_NOT_FOUND: 'failed-precondition', // systemd knows no unit file of that name
  CNV_ERR_SYSTEMD_DBUS: 'failed-precondition', // systemd refused a request or its job did not finish as done
  CNV_ERR_JOB_CANCELLED: 'cancelled',
  CNV_ERR_JOB_TIMEOUT: 'deadline',
  CNV_ERR_WORKER_DIED: 'internal',
  CNV_ERR_QUEUE_FULL: 'exhausted',
  // front door
  CNV_ERR_AUTH_MISSING: 'unauthenticated',
  CNV_ERR_AUTH_INVALID: 'unauthenticated',
  CNV_ERR_AUTH_EXPIRED: 'unauthenticated',
  CNV_ERR_AUTH_DUPLICATE: 'unauthenticated', // more than one credential in one place (header, metadata, query, cookie)
  CNV_ERR_AUTH_UNKNOWN_KEY: 'unauthenticated', // the JWT's kid names no key of --rpc-keys, or it has none and there is no --rpc-token
  CNV_ERR_AUTH_KEYS_FILE: 'invalid-input', // the --rpc-keys file is unreadable or has a bad line
  CNV_ERR_MODULE_SERVING_DISABLED: 'failed-precondition',
  CNV_ERR_MODULE_PATH: 'permission-denied',
  CNV_ERR_MODULE_NOT_FOUND: 'not-found',
  CNV_ERR_BINARY_DISABLED: 'failed-precondition',
  CNV_ERR_BINARY_MISSING: 'failed-precondition', // --self-serve is on but the executable to serve does not exist
  CNV_ERR_SERVER_ADDRESS_IN_USE: 'unavailable',
  CNV_ERR_SERVER_UNREACHABLE: 'unavailable',
  CNV_ERR_SERVER_REQUEST_INVALID: 'invalid-input',
  CNV_ERR_SERVER_SHUTTING_DOWN: 'unavailable', // a job arrived after SIGTERM; another server (or this one restarted) takes it
  CNV_ERR_JOB_INTERRUPTED: 'unavailable', // the server shut down before the job finished, past --shutdown-grace
  CNV_ERR_TLS_CONFIG: 'invalid-input', // a TLS file is missing or unreadable
  CNV_ERR_TLS_NOT_PEM: 'invalid-input',
  CNV_ERR_TLS_KEY_MISMATCH: 'invalid-input',
  CNV_ERR_TLS_EXPIRED: 'invalid-input', // a local certificate or CA file, at start-up or client creation
  CNV_ERR_TLS_NOT_YET_VALID: 'invalid-input',
  CNV_ERR_TLS_UNTRUSTED: 'failed-precondition', // client side: the server's certificate does not verify
  CNV_ERR_TLS_SERVER_EXPIRED: 'failed-precondition', // client side: the server presents an expired certificate
  CNV_ERR_TLS_PROTOCOL_MISMATCH: 'failed-precondition', // TLS on one side of the connection only
  CNV_ERR_STORE_OPEN: 'failed-precondition', // the run store under --state-dir cannot be opened or was written by a newer converge
  CNV_ERR_RUN_NOT_FOUND: 'not-found', // no run with this id in memory or in the store
  // saved plans (plan -out, apply FILE)
  CNV_ERR_PLAN_MALFORMED: 'invalid-input', // not a plan file, or a field of the wrong type
  CNV_ERR_PLAN_SIGNATURE: 'invalid-input', // the file was changed after the server signed it
  CNV_ERR_PLAN_WRONG_SERVER: 'failed-precondition', // signed by another server (another plan key)
  CNV_ERR_PLAN_EXPIRED: 'failed-precondition', // older than the server's --plan-max-age
  CNV_ERR_PLAN_KEY: 'internal', // the server's plan key cannot be read or created in its state dir
  CNV_ERR_PLAN_NOT_SAVED: 'failed-precondition', // plan -out: the plan had errors or the server sent no plan file
  // command line and config file
  CNV_ERR_CLI_USAGE: 'invalid-input',
  CNV_ERR_CONFIG_READ: 'invalid-input', // an explicit --config / CONVERGE_CONFIG file is missing or unreadable
  CNV_ERR_CONFIG_PARSE: 'invalid-input',
  CNV_ERR_CONFIG_UNKNOWN_KEY: 'invalid-input',
  CNV_ERR_CONFIG_INVALID: 'invalid-input',
  CNV_ERR_SCHEDULE_INVALID: 'invalid-input', // a --schedule value or a --schedule-file line that does not parse
  CNV_ERR_INTERNAL: 'internal',
} as const satisfies Record<string, ErrorClass>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a source file an error was found. Lines and columns start at 1. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export class ConvergeError extends Error {
  override readonly name = 'ConvergeError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  get errorClass(): ErrorClass {
    return ERROR_CODES[this.code];
  }
}

/** Builds an error whose message starts with `file:line:column: `, the form editors jump to. */
export function positionedError(
  code: ErrorCode,
  pos: SourcePosition,
  message: string,
  details?: Record<string, unknown>,
): ConvergeError {
  return new ConvergeError(code, `${pos.file}:${pos.line}:${pos.column}: ${message}`, {
    ...details,
    file: pos.file,
    line: pos.line,
    column: pos.column,
  });
}

/** The plain-data form of an error, safe for structured clone (workers) and JSON (HTTP). */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * Structured clone drops Error subclasses and custom fields (piscina #141, #1143), so errors cross the
 * worker boundary as WireError and are rebuilt with fromWire(). Unknown errors become CNV_ERR_INTERNAL.
 */
export function toWire(error: unknown): WireError {
  if (error instanceof ConvergeError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  return { code: 'CNV_ERR_INTERNAL', message: getErrorMessage(error) };
}

export function fromWire(wire: WireError): ConvergeError {
  const code = isErrorCode(wire.code) ? wire.code : 'CNV_ERR_INTERNAL';
  return new ConvergeError(code, wire.message, wire.details);
}

export function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
