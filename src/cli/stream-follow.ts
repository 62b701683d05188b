/**
 * Following one executor-shaped stream (Plan, Apply, HealthCheck or Runs.Watch) into the messages the
 * printers take: the edges once the run starts, then each event. plan/apply and attach read through
 * this one loop, so a watched run is shown exactly as its own client would have shown it.
 */
import type { LoadingProgress, NodeEvent, WorkerMessage } from '../protocol.js';
import type { ExecutorStream } from '../frontdoor/client.js';
import type { Logger } from './log.js';

/** What a run says about itself besides node events: queued behind another run, loading, then started. */
export type RunNotice =
  | { readonly type: 'queued'; readonly runId: string; readonly behind: string; readonly position: number; readonly text: string }
  | { readonly type: 'loading'; readonly runId: string; readonly progress: LoadingProgress }
  | { readonly type: 'started'; readonly runId: string }
  | { readonly type: 'saved-plan'; readonly runId: string; readonly text: string };

/**
 * Reads `stream` to its end and returns the number of nodes that finished. Aborting `signal` cancels
 * the stream (the loop then ends early); a failed run or a lost connection is thrown.
 */
export async function followStream(
  stream: ExecutorStream,
  onMessage: (message: WorkerMessage) => void,
  signal: AbortSignal,
  log: Logger,
  onNotice: ((notice: RunNotice) => void) | undefined,
): Promise<number> {
  const cancel = (): void => stream.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  let nodes = 0;
  try {
    for await (const item of stream) {
      if (item.type === 'queued') {
        log.info(item.notice.text, { run: item.notice.runId, behind: item.notice.behind, position: item.notice.position });
        onNotice?.({ type: 'queued', runId: item.notice.runId, behind: item.notice.behind, position: item.notice.position, text: item.notice.text });
      } else if (item.type === 'loading') {
        onNotice?.(item);
      } else if (item.type === 'start') {
        log.debug('run started', { run: item.runId });
        onNotice?.({ type: 'started', runId: item.runId });
        onMessage({ type: 'edges', edges: item.edges });
      } else if (item.type === 'saved-plan') {
        onNotice?.({ type: 'saved-plan', runId: item.runId, text: item.text });
      } else {
        const event: NodeEvent = item.event;
        if (event.run === 'FINISHED') nodes++;
        onMessage({ type: 'events', events: [event] });
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  return nodes;
}
