/**
 * Shared test helpers for the resources area: temp dirs cleaned up on teardown, contexts, and a
 * one-call "decode and prepare" for a kind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { decodeFields, getResource } from '../../src/resources/index.js';
import type { RawField, Renderer, RunContext, Task } from '../../src/resources/types.js';

export function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-resources-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function runContext(cwd: string, signal: AbortSignal = new AbortController().signal): RunContext {
  return { cwd, signal };
}

/** Wraps plain values as RawFields. */
export function raw(values: Record<string, unknown>): Record<string, RawField> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }]));
}

export const identity: Renderer = (template) => template;

/** Decodes `values` for `kind` and prepares the task with `cwd`. */
export async function prepare(kind: string, values: Record<string, unknown>, cwd: string): Promise<Task> {
  const def = getResource(kind);
  if (def === undefined) throw new Error(`no kind ${kind}`);
  const fields = decodeFields(def, raw(values), identity, { id: `root/${kind}.test` });
  return def.prepare(fields, { id: `root/${kind}.test`, cwd });
}

/** Resolves when `file` appears in `dir` (an event, not a poll). */
export function appears(dir: string, file: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): boolean => {
      if (!fs.existsSync(path.join(dir, file))) return false;
      watcher.close();
      resolve();
      return true;
    };
    const watcher = fs.watch(dir, () => void done());
    done();
  });
}

/** True once `pid` is gone or a zombie (reaping it is its new parent's business), within `ms`. */
export async function processGone(pid: number, ms = 5_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    let state: string;
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '';
    } catch {
      return true;
    }
    if (state === 'Z' || state === 'X') return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
