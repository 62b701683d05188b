/**
 * Runs fuzz cases on one worker thread at a time, each under a wall-time limit and a heap limit. A
 * case that passes its time is a hang: the thread is terminated (which stops even a synchronous loop)
 * and a fresh one takes the next case. A thread that dies of ERR_WORKER_OUT_OF_MEMORY is an OOM, and
 * one that dies of anything else (an uncaught exception, an unhandled rejection) is a crash.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { DEFAULT_WORKER_MEMORY_MB } from '../../src/defaults.js';
import type { RunLimitValues } from '../../src/protocol.js';
import type { CaseRequest, CaseResult } from './case.worker.js';
import { BAD_CLASSES, CLASSES, classify, type ResultClass, type Verdict } from './classify.js';
import { applyCase, sampleCases, type FuzzCase } from './mutations.js';
import type { Seed } from './seeds.js';

/**
 * The limits the cases run with: the server's defaults, except lower template budgets and time limits
 * so that a runaway costs a second rather than minutes. The run timeout sits well below the hang limit:
 * a run that stops at its deadline is a clean error, one that cannot be stopped is a hang.
 */
export const FUZZ_LIMITS: Partial<RunLimitValues> = Object.freeze({
  templateSteps: 1_000_000,
  templateOutputBytes: 16 * 1024 * 1024,
  nodeTimeoutMs: 5_000,
  runTimeoutMs: 10_000,
});

export interface FuzzOptions {
  readonly seeds: readonly Seed[];
  readonly count: number;
  readonly seed: number;
  /** Wall time per case before it counts as a hang. @default 20_000 */
  readonly hangMs?: number;
  /** Old-generation heap of the case thread, as the server's --worker-memory. @default 1024 */
  readonly memoryMb?: number;
  readonly limits?: Partial<RunLimitValues>;
  /** Examples kept per class. @default 3 */
  readonly examples?: number;
  /** Where to write the files of every bad case (one folder each), if anywhere. */
  readonly saveDir?: string;
  readonly onProgress?: (done: number, counts: Readonly<Record<ResultClass, number>>) => void;
}

export interface Example {
  readonly index: number;
  readonly seed: string;
  readonly file: string;
  readonly steps: readonly string[];
  readonly verdict: Verdict;
}

export interface FuzzReport {
  readonly seed: number;
  readonly count: number;
  readonly seedCount: number;
  readonly counts: Readonly<Record<ResultClass, number>>;
  readonly examples: Readonly<Record<ResultClass, readonly Example[]>>;
  /** Cases that validated and were planned, and why the others that validated were not. */
  readonly planned: number;
  readonly skipped: Readonly<Record<string, number>>;
  /** Clean errors by code, to see which parts of the engine the cases reached. */
  readonly codes: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

type ThreadOutcome =
  | { readonly kind: 'result'; readonly result: CaseResult }
  | { readonly kind: 'died'; readonly error: unknown }
  | { readonly kind: 'hang' };

const STOP_WAIT_MS = 5_000;

class CaseThread {
  readonly #memoryMb: number;
  readonly #scratch: string;
  #worker: Worker | undefined;
  #settle: ((outcome: ThreadOutcome) => void) | undefined;

  constructor(memoryMb: number, scratch: string) {
    this.#memoryMb = memoryMb;
    this.#scratch = scratch;
  }

  #fifo = '';

  #start(): Worker {
    const dir = fs.mkdtempSync(path.join(this.#scratch, 'thread-'));
    // Beside every case, `../fifo` is a FIFO: reading it blocks until a writer comes, so a module or a
    // check that opens it without care hangs. mkfifo has no Node API.
    this.#fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [this.#fifo]);
    const worker = new Worker(new URL('./case.worker.js', import.meta.url), {
      workerData: { scratch: dir },
      resourceLimits: { maxOldGenerationSizeMb: this.#memoryMb },
    });
    // A listener of a replaced thread must not settle the next case.
    const settle = (outcome: ThreadOutcome): void => {
      if (worker !== this.#worker) return;
      this.#worker = undefined;
      this.#settle?.(outcome);
    };
    worker.on('message', (result: CaseResult) => {
      if (worker === this.#worker) this.#settle?.({ kind: 'result', result });
    });
    worker.on('error', (error) => settle({ kind: 'died', error }));
    worker.on('exit', (code) => settle({ kind: 'died', error: new Error(`case thread exited with code ${code}`) }));
    this.#worker = worker;
    return worker;
  }

  async run(request: CaseRequest, hangMs: number): Promise<ThreadOutcome> {
    const worker = this.#worker ?? this.#start();
    const outcome = await new Promise<ThreadOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'hang' }), hangMs);
      this.#settle = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      worker.postMessage(request);
    });
    this.#settle = undefined;
    if (outcome.kind === 'hang') {
      this.#worker = undefined;
      await this.#stop(worker);
    }
    return outcome;
  }

  /**
   * Terminates a hung thread. A thread whose file read is blocked opening the FIFO does not finish
   * terminating until that open returns (its pool thread holds a request of the worker's loop), so
   * while waiting the FIFO is opened for writing and closed again, which gives such a reader its end of
   * file. A thread still not gone after STOP_WAIT_MS is left behind rather than stall the run.
   */
  async #stop(worker: Worker): Promise<void> {
    const stopped = worker.terminate().then(() => true);
    const fifo = this.#fifo;
    for (let waited = 0; waited < STOP_WAIT_MS; waited += 50) {
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        // ENXIO: no reader is waiting.
      }
      if (await Promise.race([stopped, delay(50).then(() => false)])) return;
    }
    worker.unref();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }
}

function verdictOf(outcome: ThreadOutcome, hangMs: number, memoryMb: number): Verdict {
  switch (outcome.kind) {
    case 'result':
      return classify(outcome.result);
    case 'hang':
      return { cls: 'hang', summary: `no result within ${hangMs} ms; the thread was terminated` };
    default: {
      const error = outcome.error as { code?: unknown; message?: unknown; stack?: unknown };
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') return { cls: 'oom', summary: `the case thread ran out of its ${memoryMb} MiB heap` };
      return { cls: 'crash', summary: `the case thread died: ${String(error.message)}`, stack: String(error.stack ?? '') };
    }
  }
}

function save(dir: string, index: number, mutated: ReturnType<typeof applyCase>, fuzzCase: FuzzCase, verdict: Verdict): void {
  const folder = path.join(dir, `${verdict.cls}-${index}`);
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(mutated.files)) fs.writeFileSync(path.join(folder, name), text);
  const about = { seed: mutated.seed.name, main: mutated.seed.main, file: mutated.file, steps: mutated.steps, case: fuzzCase, verdict };
  fs.writeFileSync(path.join(folder, 'case.json'), `${JSON.stringify(about, null, 2)}\n`);
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const hangMs = options.hangMs ?? 20_000;
  const memoryMb = options.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
  const keep = options.examples ?? 3;
  const limits = options.limits ?? FUZZ_LIMITS;
  if (options.seeds.length === 0) throw new Error('no seed modules found');
  const started = performance.now();
  const counts = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<ResultClass, number>;
  const examples = Object.fromEntries(CLASSES.map((c) => [c, [] as Example[]])) as Record<ResultClass, Example[]>;
  const skipped: Record<string, number> = {};
  const codes: Record<string, number> = {};
  let planned = 0;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-fuzz-'));
  const thread = new CaseThread(memoryMb, scratch);
  try {
    const cases = sampleCases(options.seeds.length, options.count, options.seed);
    for (const [index, fuzzCase] of cases.entries()) {
      const mutated = applyCase(options.seeds, fuzzCase);
      const outcome = await thread.run({ id: index, seed: mutated.seed, files: mutated.files, limits }, hangMs);
      const verdict = verdictOf(outcome, hangMs, memoryMb);
      counts[verdict.cls]++;
      if (verdict.code !== undefined) codes[verdict.code] = (codes[verdict.code] ?? 0) + 1;
      if (outcome.kind === 'result' && outcome.result.validate.ok) {
        if (outcome.result.plan !== undefined) planned++;
        else skipped[outcome.result.skipped ?? 'unknown'] = (skipped[outcome.result.skipped ?? 'unknown'] ?? 0) + 1;
      }
      if (examples[verdict.cls].length < keep) {
        examples[verdict.cls].push({ index, seed: mutated.seed.name, file: mutated.file, steps: mutated.steps, verdict });
      }
      if (options.saveDir !== undefined && BAD_CLASSES.has(verdict.cls)) save(options.saveDir, index, mutated, fuzzCase, verdict);
      options.onProgress?.(index + 1, counts);
    }
  } finally {
    await thread.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return {
    seed: options.seed,
    count: options.count,
    seedCount: options.seeds.length,
    counts,
    examples,
    planned,
    skipped,
    codes,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The report as text: the seed, the counts per class, then the first examples of each bad class. */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `fuzz: seed ${report.seed}, ${report.count} cases from ${report.seedCount} seed modules, ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `classes: ${CLASSES.map((c) => `${c} ${report.counts[c]}`).join(', ')}`,
    `planned: ${report.planned} of the cases that validated; not planned: ${
      Object.entries(report.skipped)
        .map(([why, n]) => `${n} (${why})`)
        .join(', ') || 'none'
    }`,
    `errors by code: ${
      Object.entries(report.codes)
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${n}`)
        .join(', ') || 'none'
    }`,
  ];
  for (const cls of CLASSES) {
    if (!BAD_CLASSES.has(cls) || report.examples[cls].length === 0) continue;
    lines.push(`first ${cls} cases:`);
    for (const example of report.examples[cls]) {
      lines.push(`  #${example.index} ${example.seed} (${example.file}): ${example.steps.join('; ')}`);
      lines.push(`    ${example.verdict.summary}`);
      const frame = example.verdict.stack?.split('\n').find((l) => l.trim().startsWith('at '));
      if (frame !== undefined) lines.push(`    ${frame.trim()}`);
    }
  }
  return lines.join('\n');
}

export function badCount(report: FuzzReport): number {
  return [...BAD_CLASSES].reduce((sum, cls) => sum + report.counts[cls], 0);
}
