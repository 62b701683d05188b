/**
 * Test helpers for the engine: temp dirs with module files, and running jobs while collecting events.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { runJob } from '../../../src/graph/engine.js';
import type { GraphEdge, JobKind, NodeDetails, NodeEvent } from '../../../src/protocol.js';

/** The repository root (tests run from build/test/graph/engine/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/modules');

/** A fresh temp dir holding `files`, removed after the test. */
export function tempDir(t: ExecutionContext, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-graph-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Copies fixture files (relative to test/fixtures/modules) into a temp dir. */
export function fixtureDir(t: ExecutionContext, ...names: string[]): string {
  const files: Record<string, string> = {};
  for (const name of names) files[path.basename(name)] = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  return tempDir(t, files);
}

export interface JobRecord {
  readonly edges: readonly GraphEdge[];
  readonly events: readonly NodeEvent[];
  /** FINISHED details of pass 0, by id. */
  readonly results: ReadonlyMap<string, NodeDetails>;
  /** FINISHED details of pass 1 (healthcheck), by id. */
  readonly health: ReadonlyMap<string, NodeDetails>;
  readonly nodes: number;
}

export interface RunOptions {
  readonly params?: Record<string, unknown>;
  readonly parallelism?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: NodeEvent) => void;
  readonly content?: string;
  readonly moduleTokens?: Record<string, string>;
}

/** Runs a job on `main` in `dir` and records everything the sink receives. */
export async function run(kind: JobKind, dir: string, main: string, options: RunOptions = {}): Promise<JobRecord> {
  let edges: readonly GraphEdge[] = [];
  const events: NodeEvent[] = [];
  const results = new Map<string, NodeDetails>();
  const health = new Map<string, NodeDetails>();
  const { nodes } = await runJob(
    {
      kind,
      location: main,
      params: options.params ?? {},
      cwd: dir,
      parallelism: options.parallelism ?? 4,
      ...(options.content !== undefined ? { content: options.content } : {}),
      ...(options.moduleTokens !== undefined ? { moduleTokens: options.moduleTokens } : {}),
    },
    {
      edges: (e) => {
        edges = e;
      },
      event: (e) => {
        events.push(e);
        options.onEvent?.(e);
        if (e.run === 'FINISHED' && e.details !== undefined) (e.pass === 1 ? health : results).set(e.id, e.details);
      },
    },
    options.signal ?? new AbortController().signal,
  );
  return { edges, events, results, health, nodes };
}

/** A job spec for graphJob/validateJob. */
export function spec(dir: string, main: string, params: Record<string, unknown> = {}) {
  return { kind: 'graph' as const, location: main, params, cwd: dir, parallelism: 4 };
}

/** Non-parent edges as `dependent -> dependency` strings, sorted. */
export function depEdges(edges: readonly GraphEdge[]): string[] {
  return edges.filter((e) => e.attributes === null).map((e) => `${e.source} -> ${e.dest}`).sort();
}
