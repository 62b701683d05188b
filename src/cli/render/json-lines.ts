/**
 * `--output json`: one JSON object per line on stdout, for scripts and CI. The first line names the schema
 * (docs/json-output.md, docs/json-output.schema.json); then one line per event as it happens; then a
 * summary per module. Field names are stable: a new field may be added within a schema number, but an
 * existing one never changes meaning. Logs stay on stderr.
 */
import { DRIFT_PREFIX, type NodeDetails, type NodeEvent } from '../../protocol.js';
import { VERSION } from '../version.js';
import { summarizeHealth } from './health.js';
import { isDependencyError, summarize, type NodeResult } from './human.js';

/** Bumped only when an existing field changes meaning or goes away. */
export const JSON_SCHEMA_VERSION = 1;

/** Where a node ended: the values of a finished node line's `status`. */
export type NodeStatus =
  | 'unchanged'
  | 'changes'
  | 'applied'
  | 'error'
  | 'dependency-error'
  | 'drifted'
  | 'healthy'
  | 'warning';


/** The status of a finished node, from its details and the stage and pass it finished in. */
export function nodeStatus(details: NodeDetails, stage: NodeEvent['stage'], pass: number): NodeStatus {
  if (pass === 1 && details.health !== undefined) return details.health.level;
  if (details.error !== '') {
    if (details.error.startsWith(DRIFT_PREFIX)) return 'drifted';
    return isDependencyError(details) ? 'dependency-error' : 'error';
  }
  if (!details.hasChanges) return 'unchanged';
  return stage === 'APPLY' ? 'applied' : 'changes';
}

/** Writes JSON lines to one stream. Every line is a single `write`, so lines never interleave. */
export class JsonLines {
  readonly #out: { write(text: string): unknown };

  constructor(out: { write(text: string): unknown }) {
    this.#out = out;
  }

  write(line: Readonly<Record<string, unknown>>): void {
    this.#out.write(JSON.stringify(line) + '\n');
  }

  /** The first line of every `--output json` run. */
  header(): void {
    this.write({ type: 'version', schema: JSON_SCHEMA_VERSION, converge: VERSION });
  }

  node(file: string, event: NodeEvent): void {
    const base = { type: 'node', file, phase: event.run === 'STARTED' ? 'started' : 'finished', id: event.id, stage: event.stage, pass: event.pass };
    const details = event.details;
    if (event.run === 'STARTED' || details === undefined) {
      this.write(base);
      return;
    }
    this.write({
      ...base,
      status: nodeStatus(details, event.stage, event.pass),
      hasChanges: details.hasChanges,
      changes: details.changes,
      messages: details.messages,
      error: details.error,
      warning: details.warning,
      ...(details.health !== undefined
        ? { health: { level: details.health.level, failingDependencies: details.health.failingDependencies } }
        : {}),
    });
  }

  /** A module that could not run; `hints` (what to do, as the terminal's error block says it) only when there are some. */
  error(file: string, code: string, message: string, hints: readonly string[] = []): void {
    this.write({ type: 'error', file, code, message, ...(hints.length > 0 ? { hints } : {}) });
  }

  /** The summary of a plan or apply (the human report's `Summary:` line) or of a healthcheck. */
  summary(command: 'plan' | 'apply' | 'healthcheck', file: string, results: readonly NodeResult[], ok: boolean): void {
    if (command === 'healthcheck') {
      const health = summarizeHealth(results);
      this.write({ type: 'summary', command, file, ok, nodes: results.length, ...health });
      return;
    }
    const summary = summarize(results);
    this.write({
      type: 'summary',
      command,
      file,
      ok,
      nodes: results.length,
      errors: summary.errors.length,
      changes: summary.changes,
      dependencyErrors: summary.dependencyErrors.length,
      drifted: summary.errors.filter((r) => r.details.error.startsWith(DRIFT_PREFIX)).map((r) => r.id),
    });
  }
}
