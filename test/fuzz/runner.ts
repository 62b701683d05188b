/**
 * Runs fuzz cases one at a time on a worker thread inside a child process (case-host.ts), each under
 * a wall-time limit and the thread's heap limit. A case that passes its time is a hang: the process is
 * killed (which stops even a read blocked in the kernel) and a fresh one takes the next case. A thread
 * that fails with ERR_WORKER_OUT_OF_MEMORY, or a process that aborts on V8's heap limit, is an OOM;
 * any other death (an uncaught exception, an unhandled rejection) is a crash.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WORKER_MEMORY_MB } from '../../src/defaults.js';
import type { RunLimitValues } from '../../src/protocol.js';
import type { HostMessage } from './case-host.js';
import type { CaseRequest } from './case.worker.js';
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
  | HostMessage
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly stderr: string }
  | { readonly kind: 'hang' };

/** Bytes of a host's stderr kept, to tell a V8 heap abort from another death. */
const STDERR_KEPT = 8192;

/** Runs cases in a child process (case-host.ts), one at a time; a dead or killed host is replaced. */
class CaseHost {
  readonly #memoryMb: number;
  readonly #scratch: string;
  #child: ChildProcess | undefined;
  #settle: ((outcome: ThreadOutcome) => void) | undefined;

  constructor(memoryMb: number, scratch: string) {
    this.#memoryMb = memoryMb;
    this.#scratch = scratch;
  }

  #start(): ChildProcess {
    const dir = fs.mkdtempSync(path.join(this.#scratch, 'host-'));
    // Beside every case, `../fifo` is a FIFO: reading it blocks until a writer comes, so a module or a
    // check that opens it without care hangs. mkfifo has no Node API.
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    const host = fileURLToPath(new URL('./case-host.js', import.meta.url));
    const child = fork(host, [JSON.stringify({ scratch: dir, memoryMb: this.#memoryMb })], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEPT);
    });
    child.on('message', (message: HostMessage) => {
      if (child === this.#child) this.#settle?.(message);
    });
    child.on('exit', (code, signal) => {
      if (child !== this.#child) return;
      this.#child = undefined;
      this.#settle?.({ kind: 'exited', code, signal, stderr });
    });
    this.#child = child;
    return child;
  }

  async run(request: CaseRequest, hangMs: number): Promise<ThreadOutcome> {
    const child = this.#child ?? this.#start();
    const outcome = await new Promise<ThreadOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'hang' }), hangMs);
      this.#settle = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      child.send(request);
    });
    this.#settle = undefined;
    if (outcome.kind === 'hang') await this.#kill(child);
    return outcome;
  }

  async #kill(child: ChildProcess): Promise<void> {
    if (child === this.#child) this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    if (this.#child !== undefined) await this.#kill(this.#child);
  }
}

function verdictOf(outcome: ThreadOutcome, hangMs: number, memoryMb: number): Verdict {
  switch (outcome.kind) {
    case 'result':
      return classify(outcome.result);
    case 'hang':
      return { cls: 'hang', summary: `no result within ${hangMs} ms; the case process was killed` };
    case 'exited':
      if (outcome.signal === 'SIGABRT' || /heap out of memory/.test(outcome.stderr)) {
        return {
          cls: 'oom',
          summary: `the process aborted: the case thread's ${memoryMb} MiB heap ran out in one allocation (a server process would die)`,
        };
      }
      return {
        cls: 'crash',
        summary: `the case process died (code ${outcome.code}, signal ${outcome.signal}): ${outcome.stderr.trim().split('\n').at(-1) ?? ''}`,
      };
    default: {
      const { error } = outcome;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') return { cls: 'oom', summary: `the case thread ran out of its ${memoryMb} MiB heap` };
      return { cls: 'crash', summary: `the case thread died: ${error.message}`, stack: error.stack };
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

/** Runs one module (a seed's files, as they are) on a fresh case thread and classifies the result. */
export async function runOne(
  seed: Seed,
  options: { readonly hangMs?: number; readonly memoryMb?: number; readonly limits?: Partial<RunLimitValues> } = {},
): Promise<Verdict> {
  const hangMs = options.hangMs ?? 20_000;
  const memoryMb = options.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-fuzz-'));
  const thread = new CaseHost(memoryMb, scratch);
  try {
    const outcome = await thread.run({ id: 0, seed, files: seed.files, limits: options.limits ?? FUZZ_LIMITS }, hangMs);
    return verdictOf(outcome, hangMs, memoryMb);
  } finally {
    await thread.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
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
  const thread = new CaseHost(memoryMb, scratch);
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
