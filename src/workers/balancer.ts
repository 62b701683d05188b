/**
 * Where piscina puts a job. Every job carries an abort signal (so that a stuck thread can be replaced),
 * and piscina's own balancer gives a job with a signal a thread of its own; this one packs up to
 * `jobsPerThread` jobs on each thread, least busy first, and skips threads that are stuck in a
 * synchronous loop (heartbeat.ts). When every thread is stuck it asks for a spare thread, so a runaway
 * module does not hold up the next client's plan; at the thread limit it takes the least busy anyway.
 * A relocated job (task name `solo`, run.worker.ts) wants a thread with nothing else on it; at the
 * thread limit it joins a stuck thread, where it holds up only other runaways, never a healthy one.
 */
import type { Piscina } from 'piscina';
import type { ThreadWatch } from './heartbeat.js';

type Balancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

export function createBalancer(options: { jobsPerThread: number; maxThreads: number; watch: ThreadWatch }): Balancer {
  const { jobsPerThread, maxThreads, watch } = options;
  return (task, workers) => {
    if (task.name === 'solo') return soloThread(workers, jobsPerThread, maxThreads, watch);
    let best: (typeof workers)[number] | null = null;
    let bestLoad = Infinity;
    let fallback: (typeof workers)[number] | null = null;
    let fallbackLoad = Infinity;
    for (const worker of workers) {
      if (worker.terminating || worker.destroyed) continue;
      // piscina reports a thread with a single abortable job as infinitely busy; it holds one job.
      const load = worker.isRunningAbortableTask ? 1 : worker.currentUsage;
      if (load >= jobsPerThread) continue;
      if (watch.isStuck(worker.id)) {
        if (load < fallbackLoad) [fallback, fallbackLoad] = [worker, load];
      } else if (load < bestLoad) {
        [best, bestLoad] = [worker, load];
      }
    }
    if (best !== null) return best;
    // null makes piscina start another thread while it is below maxThreads.
    return workers.length < maxThreads ? null : fallback;
  };
}

type Workers = Parameters<Balancer>[1];

function soloThread(workers: Workers, jobsPerThread: number, maxThreads: number, watch: ThreadWatch): Workers[number] | null {
  let stuck: Workers[number] | null = null;
  let any: Workers[number] | null = null;
  for (const worker of workers) {
    if (worker.terminating || worker.destroyed) continue;
    const load = worker.isRunningAbortableTask ? 1 : worker.currentUsage;
    if (load >= jobsPerThread) continue;
    const isStuck = watch.isStuck(worker.id);
    if (load === 0 && !isStuck) return worker;
    if (isStuck && stuck === null) stuck = worker;
    any ??= worker;
  }
  if (workers.length < maxThreads) return null;
  return stuck ?? any;
}
