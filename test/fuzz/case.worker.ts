/**
 * Runs fuzz cases, one at a time, on a worker thread with a heap limit (case-host.ts holds it, in a
 * process the runner can kill when a case hangs). Each case is written to its own
 * scratch directory, validated, and then planned when planning it cannot run mutated commands
 * (plan-policy.ts). Nothing is ever applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { graphJob, runJob, validateJob } from '../../src/graph/index.js';
import type { JobSpec, RunLimitValues } from '../../src/protocol.js';
import { planDecision, type VertexSummary } from './plan-policy.js';
import type { Seed } from './seeds.js';

export interface CaseRequest {
  readonly id: number;
  readonly seed: Seed;
  readonly files: Readonly<Record<string, string>>;
  readonly limits: Partial<RunLimitValues>;
}

/** What a thrown value looked like, as plain data. */
export interface ThrownInfo {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
  readonly convergeError: boolean;
  readonly stack: string;
}

export type StepOutcome = { readonly ok: true; readonly nodes: number } | { readonly ok: false; readonly thrown: ThrownInfo };

export interface CaseResult {
  readonly id: number;
  readonly validate: StepOutcome;
  /** Absent when the plan was not run; `skipped` says why. */
  readonly plan?: StepOutcome;
  readonly skipped?: string;
  /** Error texts of nodes that failed during the plan. */
  readonly nodeErrors: readonly string[];
}

/** The thread's directory; the runner has put a FIFO in it, `../fifo` from each case (runner.ts). */
const { scratch } = workerData as { scratch: string };
let counter = 0;

function describe(error: unknown): ThrownInfo {
  if (error instanceof Error) {
    const fields = error as Error & { code?: unknown; details?: unknown };
    return {
      name: error.name,
      code: typeof fields.code === 'string' ? fields.code : undefined,
      message: error.message,
      details: typeof fields.details === 'object' && fields.details !== null ? (fields.details as Record<string, unknown>) : undefined,
      convergeError: error.name === 'ConvergeError' && typeof fields.code === 'string',
      stack: error.stack ?? '',
    };
  }
  return { name: typeof error, code: undefined, message: String(error), details: undefined, convergeError: false, stack: '' };
}

async function step(run: () => Promise<{ nodes: number }>): Promise<StepOutcome> {
  try {
    return { ok: true, nodes: (await run()).nodes };
  } catch (error) {
    return { ok: false, thrown: describe(error) };
  }
}

function writeCase(files: Readonly<Record<string, string>>): string {
  const dir = path.join(scratch, `case-${counter++}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function vertices(job: JobSpec): Promise<VertexSummary[] | undefined> {
  try {
    return (await graphJob(job)).vertices.map((v) => ({ id: v.id, kind: v.kind, details: v.details }));
  } catch {
    return undefined;
  }
}

/** The seed's own vertices, the reference for "unmutated" commands; built once per seed and thread. */
const seedVertices = new Map<string, Promise<VertexSummary[] | undefined>>();

async function runCase(request: CaseRequest): Promise<CaseResult> {
  const { seed, limits } = request;
  const dir = writeCase(request.files);
  const job = (kind: JobSpec['kind'], cwd: string): JobSpec => ({
    kind,
    location: seed.main,
    params: seed.params,
    cwd,
    parallelism: 4,
    limits,
  });
  try {
    const validate = await step(() => validateJob(job('plan', dir)));
    if (!validate.ok) return { id: request.id, validate, nodeErrors: [] };
    let reference = seedVertices.get(seed.name);
    if (reference === undefined) {
      const seedDir = writeCase(seed.files);
      reference = vertices(job('graph', seedDir)).finally(() => fs.rmSync(seedDir, { recursive: true, force: true }));
      seedVertices.set(seed.name, reference);
    }
    const decision = planDecision(await vertices(job('graph', dir)), await reference);
    if (!decision.plan) return { id: request.id, validate, skipped: decision.reason, nodeErrors: [] };
    const nodeErrors: string[] = [];
    const sink = {
      edges: () => undefined,
      event: (e: { run: string; details?: { error: string } }) => {
        if (e.run === 'FINISHED' && e.details !== undefined && e.details.error !== '') nodeErrors.push(e.details.error);
      },
    };
    const plan = await step(() => runJob(job('plan', dir), sink, new AbortController().signal));
    return { id: request.id, validate, plan, nodeErrors };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

parentPort!.on('message', (request: CaseRequest) => {
  void runCase(request).then((result) => parentPort!.postMessage(result));
});
