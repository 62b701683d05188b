import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSpec, NodeEvent, WorkerMessage } from '../../src/protocol.js';
import { WorkerPool } from '../../src/workers/pool.js';

const BUILD_TEST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function moduleDir(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'converge-pool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function job(dir: string, overrides: Partial<JobSpec> = {}): JobSpec {
  return { kind: 'plan', location: 'main.hcl', params: {}, cwd: dir, parallelism: 4, ...overrides };
}

function collect(): { messages: WorkerMessage[]; events: NodeEvent[]; onMessage: (m: WorkerMessage) => void } {
  const messages: WorkerMessage[] = [];
  const events: NodeEvent[] = [];
  return {
    messages,
    events,
    onMessage: (m) => {
      messages.push(m);
      if (m.type === 'events') events.push(...m.events);
    },
  };
}

const TWO_FILES = `
file.content "a" {
  destination = "a.txt"
  content     = "A"
}
file.content "b" {
  destination = "b.txt"
  content     = "{{lookup \`file.content.a.content\`}}B"
}
`;

test('WorkerPool.run() - delivers edges, then every STARTED/FINISHED event, before it resolves', async (t) => {
  const pool = new WorkerPool({ threads: 1 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t, { 'main.hcl': TWO_FILES });
  const seen = collect();
  const outcome = await pool.run(job(dir), seen.onMessage);
  t.true(outcome.ok);
  // A load slower than 200 ms (a cold thread on a busy machine) may report its progress first.
  t.is(seen.messages.find((m) => m.type !== 'loading')?.type, 'edges');
  const finished = seen.events.filter((e) => e.run === 'FINISHED').map((e) => e.id).sort();
  t.deepEqual(finished, ['root', 'root/file.content.a', 'root/file.content.b']);
  const started = seen.events.filter((e) => e.run === 'STARTED').length;
  t.is(started, 3);
  const b = seen.events.find((e) => e.id === 'root/file.content.b' && e.run === 'FINISHED');
  t.deepEqual(Object.keys(b?.details?.changes ?? {}), ['b.txt']);
  t.is(b?.details?.changes['b.txt']?.current, 'AB');
});

test('WorkerPool.run() - a load error fails the job with its code and no events', async (t) => {
  const pool = new WorkerPool({ threads: 1 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t, { 'main.hcl': 'task "x" {\n  check = \n' });
  const seen = collect();
  const outcome = await pool.run(job(dir), seen.onMessage);
  t.false(outcome.ok);
  t.is(outcome.ok ? undefined : outcome.error.code, 'CNV_ERR_HCL_PARSE');
  t.deepEqual(seen.events, []);
});

test('WorkerPool.run() - a worker that dies fails only its job; the pool goes on', async (t) => {
  const crashing = new WorkerPool({ threads: 1, workerFile: path.join(BUILD_TEST, 'fixtures/workers/exit.worker.js') });
  t.teardown(() => crashing.close());
  const outcome = await crashing.run(job('/nonexistent'), () => undefined);
  t.false(outcome.ok);
  t.is(outcome.ok ? undefined : outcome.error.code, 'CNV_ERR_WORKER_DIED');

  const pool = new WorkerPool({ threads: 1 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t, { 'main.hcl': TWO_FILES });
  t.true((await pool.run(job(dir), () => undefined)).ok);
});

test('WorkerPool.run() - a worker entry that cannot be imported fails the job, not the process', async (t) => {
  const pool = new WorkerPool({ threads: 1, workerFile: path.join(BUILD_TEST, 'fixtures/workers/missing.worker.js') });
  t.teardown(() => pool.close());
  const outcome = await pool.run(job('/nonexistent'), () => undefined);
  t.false(outcome.ok);
  t.is(outcome.ok ? undefined : outcome.error.code, 'CNV_ERR_WORKER_DIED');
});

test('WorkerPool.run() - aborting stops scheduling: a node behind the running one never starts', async (t) => {
  const pool = new WorkerPool({ threads: 1 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t, {
    'main.hcl': `
task "first" {
  check = "sleep 1; exit 1"
  apply = "true"
}
task "second" {
  check   = "exit 1"
  apply   = "touch second-ran"
  depends = ["task.first"]
}
`,
  });
  const controller = new AbortController();
  const seen: NodeEvent[] = [];
  await pool.run(
    job(dir, { kind: 'apply' }),
    (m) => {
      if (m.type !== 'events') return;
      seen.push(...m.events);
      if (m.events.some((e) => e.id === 'root/task.first' && e.run === 'STARTED')) controller.abort();
    },
    controller.signal,
  );
  t.true(seen.some((e) => e.id === 'root/task.first' && e.run === 'STARTED'));
  t.false(seen.some((e) => e.id === 'root/task.second' && e.run === 'STARTED'));
});
