/**
 * Shared set-up for the system resource tests: a run context, temp directories that are removed in
 * teardown, unique names for users, groups and files, and the fixture folder.
 */
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecodedFields, PrepareContext, ResourceDefinition, RunContext, Task } from '../../src/resources/types.js';

/** Repository root, from build/test/resources/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/system');

export function runContext(cwd = process.cwd(), signal = new AbortController().signal): RunContext {
  return { signal, cwd };
}

export function tempDir(t: ExecutionContext, prefix = 'cnv-sys-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A name that no other test run uses: lowercase, starts with a letter, short enough for useradd. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Prepares a task from already-decoded fields, the way the engine does after decodeFields. */
export async function prepare(
  def: ResourceDefinition,
  fields: DecodedFields,
  ctx: Partial<PrepareContext> = {},
): Promise<Task> {
  const withDefaults: Record<string, unknown> = {};
  for (const spec of def.fields) if (spec.default !== undefined) withDefaults[spec.name] = spec.default;
  return def.prepare({ ...withDefaults, ...fields }, { id: `root/${def.kind}.test`, cwd: process.cwd(), ...ctx });
}
