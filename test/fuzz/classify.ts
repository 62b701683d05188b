/**
 * The classes of a fuzz result. `ok` and `error` (a ConvergeError with a code that names
 * file:line:col) are what every module must end in; the rest are findings.
 */
import type { CaseResult, StepOutcome, ThrownInfo } from './case.worker.js';

export const CLASSES = ['ok', 'error', 'unpositioned', 'crash', 'hang', 'oom'] as const;
export type ResultClass = (typeof CLASSES)[number];

/** Classes that fail `npm run fuzz` and the slice in `npm test`. */
export const BAD_CLASSES: ReadonlySet<ResultClass> = new Set(['unpositioned', 'crash', 'hang', 'oom']);

/**
 * Errors about the run as a whole, with no place in a file to name: its deadline. The fuzzer sets the
 * run timeout well below its hang limit, so a runaway that stops itself in time lands here.
 */
const RUN_LEVEL_CODES = new Set(['CNV_ERR_LIMIT_RUN_TIME', 'CNV_ERR_JOB_CANCELLED']);

/** JavaScript's own error texts, which a node's check must never report as its error. */
const RAW_JS = /Cannot read properties|is not a function|is not iterable|is not defined|Maximum call stack|Invalid (array|string) length|ERR_INVALID_ARG|undefined is not/;

export interface Verdict {
  readonly cls: ResultClass;
  /** One line for a report: the code or error name and the message's first line. */
  readonly summary: string;
  /** The ConvergeError's code, for a clean error. */
  readonly code?: string;
  readonly stack?: string;
}

function positioned(thrown: ThrownInfo): boolean {
  const d = thrown.details;
  if (d !== undefined && typeof d['file'] === 'string' && typeof d['line'] === 'number' && typeof d['column'] === 'number') {
    return true;
  }
  return /^[^\s][^\n]*?:\d+:\d+: /.test(thrown.message);
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}... (${line.length} chars)` : line;
}

function thrownVerdict(stage: string, thrown: ThrownInfo): Verdict {
  const summary = `${stage}: ${thrown.code ?? thrown.name}: ${firstLine(thrown.message)}`;
  if (!thrown.convergeError) return { cls: 'crash', summary, stack: thrown.stack };
  if (positioned(thrown) || RUN_LEVEL_CODES.has(thrown.code ?? '')) return { cls: 'error', summary, code: thrown.code! };
  return { cls: 'unpositioned', summary, stack: thrown.stack };
}

function stepVerdict(stage: string, outcome: StepOutcome): Verdict {
  return outcome.ok ? { cls: 'ok', summary: `${stage}: ok (${outcome.nodes} nodes)` } : thrownVerdict(stage, outcome.thrown);
}

export function classify(result: CaseResult): Verdict {
  const validate = stepVerdict('validate', result.validate);
  if (validate.cls !== 'ok' || result.plan === undefined) return validate;
  const plan = stepVerdict('plan', result.plan);
  if (plan.cls !== 'ok') return plan;
  const raw = result.nodeErrors.find((text) => RAW_JS.test(text));
  if (raw !== undefined) return { cls: 'crash', summary: `plan: a node failed with a raw JavaScript error: ${firstLine(raw)}` };
  return plan;
}
