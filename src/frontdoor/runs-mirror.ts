/**
 * Mirrors a live Run into the run store. The mirror is one more reader of the run with its own cursor,
 * like a client's pump: it never slows the job or the clients, and the store's batching decides when
 * the disk is touched. When the run ends, its per-node results (the last pass) are written beside it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSpec, NodeEvent } from '../protocol.js';
import type { RunStore } from '../store/run-store.js';
import type { NodeRecord } from '../store/types.js';
import type { RunOrigin } from './executor.js';
import { outcomeOf } from './run-outcome.js';
import type { Run } from './runs.js';

export { outcomeOf };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The sha256 of the module text the run was asked for: inline content, or the local file; '' otherwise. */
export async function moduleSha256(spec: JobSpec): Promise<string> {
  if (spec.content !== undefined && spec.content !== '') return sha256(spec.content);
  let file: string | undefined;
  if (spec.location.startsWith('file://')) file = fileURLToPath(spec.location);
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(spec.location)) file = path.resolve(spec.cwd, spec.location);
  if (file === undefined) return '';
  try {
    return sha256(await readFile(file, 'utf8'));
  } catch {
    // The job reports an unreadable module itself; the record just has no hash.
    return '';
  }
}

/** Each node's last FINISHED event of the run's last pass. */
export function nodeResults(run: Run): NodeRecord[] {
  let lastPass = 0;
  const byId = new Map<string, NodeEvent>();
  for (let i = 0; i < run.eventCount; i += 1) {
    const event = run.eventAt(i)!.event;
    if (event.run !== 'FINISHED' || event.details === undefined) continue;
    if (event.pass > lastPass) {
      lastPass = event.pass;
      byId.clear();
    }
    if (event.pass === lastPass) byId.set(event.id, event);
  }
  return [...byId.values()].map(({ id, details }) => ({
    id,
    status: details!.error !== '' ? 'error' : details!.hasChanges ? 'changed' : 'ok',
    hasChanges: details!.hasChanges,
    changes: details!.changes,
    messages: details!.messages,
    error: details!.error,
    warning: details!.warning,
  }));
}

/** Follows `run` until it ends, writing everything it produces to `store`. Never rejects. */
export async function mirrorRun(store: RunStore, run: Run, spec: JobSpec, origin: RunOrigin): Promise<void> {
  const moduleHash = await moduleSha256(spec);
  store.queued({
    id: run.id,
    kind: spec.kind,
    location: spec.location,
    moduleSha256: moduleHash,
    params: JSON.stringify(spec.params),
    who: origin.who,
    peer: origin.peer,
    queuedAt: run.createdAtMs,
  });
  let cursor = 0;
  let startedWritten = false;
  let edgesWritten = false;
  for (;;) {
    // Taken before looking, so a change between the look and the wait is not missed.
    const changed = run.changed();
    if (!startedWritten && run.startedAtMs !== null) {
      startedWritten = true;
      store.started(run.id, run.startedAtMs);
    }
    if (!edgesWritten && run.edges !== undefined) {
      edgesWritten = true;
      store.edges(run.id, run.edges);
    }
    if (cursor < run.eventCount) {
      const events: NodeEvent[] = [];
      for (let i = cursor; i < run.eventCount; i += 1) events.push(run.eventAt(i)!.event);
      store.events(run.id, cursor + 1, events);
      cursor += events.length;
    }
    if (run.state === 'done') break;
    await changed;
  }
  const nodes = nodeResults(run);
  const failed = nodes.filter((node) => node.status === 'error').length;
  const outcome = run.outcome;
  store.finished(run.id, {
    outcome: outcomeOf(outcome, failed),
    errorCode: outcome !== undefined && !outcome.ok ? outcome.error.code : '',
    errorMessage: outcome !== undefined && !outcome.ok ? outcome.error.message : '',
    finishedAt: run.finishedAtMs ?? Date.now(),
    nodes,
  });
}
