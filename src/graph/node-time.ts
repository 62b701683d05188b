/**
 * Wall time of one node's check or apply (--node-timeout). The task gets a signal that aborts at the
 * limit, as well as when the run is cancelled, and the node's result does not wait for a task that
 * ignores its signal: at the limit the node fails with CNV_ERR_LIMIT_NODE_TIME and the walk goes on.
 */
import type { RunContext } from '../resources/types.js';
import { limitError } from './limits.js';

/** setTimeout's largest delay; a longer limit is as good as none. */
export const MAX_TIMER_MS = 2_147_483_647;

export async function withNodeTimeout<T>(run: RunContext, ms: number, fn: (ctx: RunContext) => Promise<T>): Promise<T> {
  if (ms === 0 || ms > MAX_TIMER_MS) return fn(run);
  const controller = new AbortController();
  const forward = (): void => controller.abort(run.signal.reason);
  if (run.signal.aborted) forward();
  else run.signal.addEventListener('abort', forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = limitError('nodeTimeoutMs', ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([fn({ ...run, signal: controller.signal }), expired]);
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', forward);
  }
}
