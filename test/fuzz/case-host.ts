/**
 * The child process that hosts the case thread. The thread has the same heap limit as the server's
 * pool threads (resourceLimits), so a runaway case ends the way it would end in the server: the thread
 * fails with ERR_WORKER_OUT_OF_MEMORY, or, when one allocation is too big for V8's last-moment grace,
 * the whole process aborts. A process of its own lets the runner see that abort, and kill a case that
 * hangs, even one blocked inside a system call, without losing the run.
 */
import { Worker } from 'node:worker_threads';
import type { CaseRequest, CaseResult } from './case.worker.js';

export type HostMessage =
  | { readonly kind: 'result'; readonly result: CaseResult }
  | { readonly kind: 'died'; readonly error: { readonly code: unknown; readonly message: string; readonly stack: string } };

const { scratch, memoryMb } = JSON.parse(process.argv[2] ?? '{}') as { scratch: string; memoryMb: number };
let worker: Worker | undefined;

function start(): Worker {
  const thread = new Worker(new URL('./case.worker.js', import.meta.url), {
    workerData: { scratch },
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  // 'error' is followed by 'exit': only the first reports, and the next case gets a fresh thread.
  const died = (error: { code?: unknown; message?: unknown; stack?: unknown }): void => {
    if (thread !== worker) return;
    worker = undefined;
    const message: HostMessage = {
      kind: 'died',
      error: { code: error.code, message: String(error.message), stack: String(error.stack ?? '') },
    };
    process.send!(message);
  };
  thread.on('message', (result: CaseResult) => process.send!({ kind: 'result', result } satisfies HostMessage));
  thread.on('error', died);
  thread.on('exit', (code) => died({ message: `case thread exited with code ${code}` }));
  worker = thread;
  return thread;
}

process.on('message', (request: CaseRequest) => (worker ?? start()).postMessage(request));
process.on('disconnect', () => process.exit(0));
