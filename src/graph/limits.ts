/**
 * What one run may use: template steps and output, nesting, modules, nodes and wall time. The values
 * come from the server's flags and travel in the JobSpec; the engine enforces each where the work
 * happens. A limit that trips is a ConvergeError with its own code, naming the limit, its value and
 * the flag that raises it.
 */
import {
  DEFAULT_MAX_MODULE_DEPTH,
  DEFAULT_MAX_MODULE_MB,
  DEFAULT_MAX_MODULES,
  DEFAULT_MAX_NESTING,
  DEFAULT_MAX_NODES,
  DEFAULT_MAX_TEMPLATE_OUTPUT_MB,
  DEFAULT_MAX_TASK_OUTPUT_KIB,
  DEFAULT_MAX_TEMPLATE_STEPS,
  DEFAULT_NODE_TIMEOUT_MS,
  DEFAULT_RUN_TIMEOUT_MS,
} from '../defaults.js';
import { ConvergeError, positionedError, type ErrorCode, type SourcePosition } from '../errors.js';
import { formatGoDuration } from '../go/duration.js';

import type { RunLimitValues } from '../protocol.js';

export interface RunLimits extends RunLimitValues {
  /** Template execution steps (actions, commands, range iterations) per render. */
  readonly templateSteps: number;
  /** Bytes one render may produce: its output and the strings its functions build. */
  readonly templateOutputBytes: number;
  /** Nesting of HCL objects and lists, and of template control structures and parentheses. */
  readonly nesting: number;
  /** Modules nested inside each other below the top module. */
  readonly moduleDepth: number;
  /** Module files loaded by one run, the top one included. */
  readonly modules: number;
  /** Bytes of one module file, local or fetched. */
  readonly moduleBytes: number;
  /** Nodes in one run's graph. */
  readonly nodes: number;
  /** Milliseconds one check or apply of a node may take; 0: no limit. */
  readonly nodeTimeoutMs: number;
  /** Milliseconds one run may take; 0: no limit. */
  readonly runTimeoutMs: number;
  /** Bytes kept of each script's stdout and of its stderr (head and tail; the middle is cut). */
  readonly taskOutputBytes: number;
}

export type LimitName = keyof RunLimits;

/** The limits that trip with an error; task output past its limit is cut instead (a marker says so). */
export type ErrorLimitName = Exclude<LimitName, 'taskOutputBytes'>;

export const DEFAULT_RUN_LIMITS: RunLimits = Object.freeze({
  templateSteps: DEFAULT_MAX_TEMPLATE_STEPS,
  templateOutputBytes: DEFAULT_MAX_TEMPLATE_OUTPUT_MB * 1024 * 1024,
  nesting: DEFAULT_MAX_NESTING,
  moduleDepth: DEFAULT_MAX_MODULE_DEPTH,
  modules: DEFAULT_MAX_MODULES,
  moduleBytes: DEFAULT_MAX_MODULE_MB * 1024 * 1024,
  nodes: DEFAULT_MAX_NODES,
  nodeTimeoutMs: DEFAULT_NODE_TIMEOUT_MS,
  runTimeoutMs: DEFAULT_RUN_TIMEOUT_MS,
  taskOutputBytes: DEFAULT_MAX_TASK_OUTPUT_KIB * 1024,
});

interface LimitInfo {
  /** The error of a limit that fails the run or the render; absent for one that only truncates. */
  readonly code?: ErrorCode;
  /** What is counted, for the message. */
  readonly what: string;
  /** The `converge server` flag that sets it. */
  readonly flag: string;
  /** How the value is shown: a count, KiB, MiB, or a duration. */
  readonly unit: 'count' | 'KiB' | 'MiB' | 'duration';
  /** Smallest value the flag accepts; 0 turns a time limit off. */
  readonly min: number;
}

export const LIMITS: Readonly<Record<ErrorLimitName, LimitInfo & { code: ErrorCode }> & Record<LimitName, LimitInfo>> = Object.freeze({
  templateSteps: { code: 'CNV_ERR_LIMIT_TEMPLATE_STEPS', what: 'template execution steps per render', flag: '--max-template-steps', unit: 'count', min: 1 },
  templateOutputBytes: { code: 'CNV_ERR_LIMIT_TEMPLATE_OUTPUT', what: 'template output per render', flag: '--max-template-output', unit: 'MiB', min: 1 },
  nesting: { code: 'CNV_ERR_LIMIT_NESTING', what: 'nesting depth', flag: '--max-nesting', unit: 'count', min: 1 },
  moduleDepth: { code: 'CNV_ERR_LIMIT_MODULE_DEPTH', what: 'module nesting depth', flag: '--max-module-depth', unit: 'count', min: 1 },
  modules: { code: 'CNV_ERR_LIMIT_MODULES', what: 'modules per run', flag: '--max-modules', unit: 'count', min: 1 },
  moduleBytes: { code: 'CNV_ERR_LIMIT_MODULE_SIZE', what: 'module file size', flag: '--max-module-size', unit: 'MiB', min: 1 },
  nodes: { code: 'CNV_ERR_LIMIT_NODES', what: 'nodes per graph', flag: '--max-nodes', unit: 'count', min: 1 },
  nodeTimeoutMs: { code: 'CNV_ERR_LIMIT_NODE_TIME', what: 'time per node check or apply', flag: '--node-timeout', unit: 'duration', min: 0 },
  runTimeoutMs: { code: 'CNV_ERR_LIMIT_RUN_TIME', what: 'time per run', flag: '--run-timeout', unit: 'duration', min: 0 },
  taskOutputBytes: { what: 'task output kept per stream', flag: '--max-task-output', unit: 'KiB', min: 1 },
});

/** Fills in defaults and checks every value, naming the limit that is wrong. */
export function resolveRunLimits(input: Partial<RunLimits> = {}): RunLimits {
  const out: Record<string, number> = {};
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    const value = input[name] ?? DEFAULT_RUN_LIMITS[name];
    if (!Number.isSafeInteger(value) || value < LIMITS[name].min) {
      throw new TypeError(`Expected \`limits.${name}\` to be an integer >= ${LIMITS[name].min}, got \`${String(value)}\``);
    }
    out[name] = value;
  }
  return Object.freeze(out as unknown as RunLimits);
}

function shown(name: LimitName, value: number): string {
  switch (LIMITS[name].unit) {
    case 'KiB':
      return `${Math.round((value / 1024) * 100) / 100} KiB`;
    case 'MiB':
      return `${Math.round((value / (1024 * 1024)) * 100) / 100} MiB`;
    case 'duration':
      return formatGoDuration(value * 1e6);
    default:
      return String(value);
  }
}

/** `nesting depth limit of 200 reached (raise it with converge server --max-nesting)`. */
export function limitMessage(name: LimitName, value: number): string {
  const info = LIMITS[name];
  return `${info.what} limit of ${shown(name, value)} reached (raise it with converge server ${info.flag})`;
}

/** What a tripped limit's error carries besides its message. */
export function limitDetails(name: LimitName, value: number): { limit: LimitName; value: number; flag: string } {
  return { limit: name, value, flag: LIMITS[name].flag };
}

/** The error of a tripped limit; positioned when the place is known. */
export function limitError(name: ErrorLimitName, value: number, pos?: SourcePosition): ConvergeError {
  const info = LIMITS[name];
  const details = limitDetails(name, value);
  return pos === undefined
    ? new ConvergeError(info.code, limitMessage(name, value), details)
    : positionedError(info.code, pos, limitMessage(name, value), details);
}

const LIMIT_CODES: ReadonlySet<string> = new Set(Object.values(LIMITS).flatMap((info: LimitInfo) => info.code ?? []));

/**
 * True for errors that end the run rather than describe bad input: a cancellation or a tripped
 * limit. Code that wraps errors (a template function's "error calling", a node's render error)
 * passes these through unchanged, so the run stops with the real reason.
 */
export function stopsRun(error: unknown): error is ConvergeError {
  return error instanceof ConvergeError && (error.code === 'CNV_ERR_JOB_CANCELLED' || LIMIT_CODES.has(error.code));
}
