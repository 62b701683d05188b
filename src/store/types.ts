/** What the run store holds and answers, as plain data (the API layers turn it into wire messages). */
import type { Diff, JobKind } from '../protocol.js';

/** A run's outcome as stored: still open (queued, running) or how it ended. */
export type RunOutcome = 'queued' | 'running' | 'ok' | 'failed' | 'cancelled' | 'interrupted';

export const RUN_OUTCOMES: readonly RunOutcome[] = ['queued', 'running', 'ok', 'failed', 'cancelled', 'interrupted'];

/** One run's row: who asked for what, when, and how it went. Times are milliseconds since the epoch. */
export interface RunRecord {
  readonly id: string;
  readonly kind: JobKind;
  readonly location: string;
  /** sha256 (hex) of the module text the run was asked for; empty when the server could not read it. */
  readonly moduleSha256: string;
  /** The top-level params as JSON text. */
  readonly params: string;
  /** The client key's name ("token" for --rpc-token, "schedule", "anonymous" with --no-token). */
  readonly who: string;
  /** The client's address. */
  readonly peer: string;
  readonly queuedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly outcome: RunOutcome;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** Nodes with a result, those with changes, and those that failed. */
  readonly nodes: number;
  readonly changed: number;
  readonly failed: number;
  readonly events: number;
}

/** A node's result in the run's last pass (the health pass of a healthcheck). */
export interface NodeRecord {
  readonly id: string;
  /** `ok`, `changed` or `error`. */
  readonly status: 'ok' | 'changed' | 'error';
  readonly hasChanges: boolean;
  readonly changes: Readonly<Record<string, Diff>>;
  readonly messages: readonly string[];
  readonly error: string;
  readonly warning: string;
}

/** Filters of a list; every one is optional and they combine with AND. */
export interface RunFilter {
  readonly kind?: JobKind;
  readonly outcome?: RunOutcome;
  /** Runs queued at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
  /** Runs whose module location contains this text. */
  readonly module?: string;
  /** Page size. @default 50 */
  readonly limit?: number;
  /** Continue after this opaque cursor (from a previous page). */
  readonly pageToken?: string;
}

export interface RunPage {
  readonly runs: readonly RunRecord[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}
