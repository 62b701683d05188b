import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { JobQueue } from '../../src/frontdoor/job-queue.js';
import { retryWhileBusy } from '../../src/frontdoor/retry.js';
import type { Logger } from '../../src/frontdoor/logger.js';
import { Logger as CliLogger } from '../../src/cli/log.js';
import { openRunner } from '../../src/cli/runner.js';
import { toWire, ConvergeError } from '../../src/errors.js';
import type { JobOutcome } from '../../src/protocol.js';
import { serve, tempDir } from './helpers.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('JobQueue - every job is taken up to the waiting bound; only the one past it is refused, naming --max-waiting', async (t) => {
  const gate = deferred();
  const queue = new JobQueue({ maxRunning: 3, maxWaiting: 5 });
  const accepted = Array.from({ length: 8 }, (_, i) => queue.submit({ runId: `r${i}`, kind: 'plan' }, () => gate.promise));
  t.is(queue.running, 3);
  t.is(queue.waiting, 5);
  const refused = await t.throwsAsync(queue.submit({ runId: 'past', kind: 'plan' }, () => gate.promise), { code: 'CNV_ERR_QUEUE_FULL' });
  t.regex(refused!.message, /limit 5, raise it with --max-waiting/);
  gate.resolve();
  await Promise.all(accepted);
  t.is(queue.waiting, 0);
});

test('JobQueue - the memory bound refuses only the job that would pass it, naming --max-queue-memory', async (t) => {
  const gate = deferred();
  const mib = 1024 * 1024;
  const queue = new JobQueue({ maxRunning: 100, maxWaiting: 100, maxMemoryBytes: 10 * mib });
  const held = [
    queue.submit({ runId: 'a', kind: 'plan', cost: 6 * mib }, () => gate.promise),
    queue.submit({ runId: 'b', kind: 'plan', cost: 4 * mib }, () => gate.promise),
  ];
  t.is(queue.admittedBytes, 10 * mib);
  const refused = await t.throwsAsync(queue.submit({ runId: 'c', kind: 'plan', cost: 1 }, () => gate.promise), { code: 'CNV_ERR_QUEUE_FULL' });
  t.regex(refused!.message, /limit 10 MiB, raise it with --max-queue-memory/);
  gate.resolve();
  await Promise.all(held);
  t.is(queue.admittedBytes, 0);
  await t.notThrowsAsync(queue.submit({ runId: 'd', kind: 'plan', cost: 9 * mib }, async () => undefined));
});

test('JobQueue - with default settings a thousand plans start at once and none is refused', async (t) => {
  const gate = deferred();
  const queue = new JobQueue();
  const jobs = Array.from({ length: 1000 }, (_, i) => queue.submit({ runId: `r${i}`, kind: 'plan', cost: 200 * 1024 }, () => gate.promise));
  t.is(queue.running, 1000);
  t.is(queue.waiting, 0);
  gate.resolve();
  await Promise.all(jobs);
});

const busy: JobOutcome = { ok: false, error: toWire(new ConvergeError('CNV_ERR_QUEUE_FULL', 'server is busy')) };

test('retryWhileBusy() - retries a busy refusal with a logged, jittered pause until the job is taken', async (t) => {
  const outcomes: JobOutcome[] = [busy, busy, { ok: true, nodes: 3 }];
  const lines: string[] = [];
  const outcome = await retryWhileBusy(async () => outcomes.shift()!, { log: (m) => lines.push(m), baseMs: 5, random: () => 0.5 });
  t.deepEqual(outcome, { ok: true, nodes: 3 });
  t.is(lines.length, 2);
  t.regex(lines[0]!, /server is busy; retrying in \d+ ms/);
});

test('retryWhileBusy() - gives up after its budget and returns the refusal; other failures are not retried', async (t) => {
  const lines: string[] = [];
  let attempts = 0;
  const outcome = await retryWhileBusy(
    async () => {
      attempts += 1;
      return busy;
    },
    { log: (m) => lines.push(m), budgetMs: 400, baseMs: 2, maxPauseMs: 20 },
  );
  t.false(outcome.ok);
  t.true(attempts > 1);
  t.regex(lines.at(-1)!, /giving up/);
  const failed: JobOutcome = { ok: false, error: toWire(new ConvergeError('CNV_ERR_HCL_PARSE', 'bad')) };
  let calls = 0;
  await retryWhileBusy(async () => (calls++, failed), { log: () => undefined });
  t.is(calls, 1);
});

const HOLD_PLAN = `task "wait" {
  check = "while [ ! -f release ]; do sleep 0.05; done; exit 0"
  apply = "true"
}
`;

function waitFor(logger: { lines: string[] }, text: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (logger.lines.some((l) => l.includes(text))) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
}

test('our client retries a refused plan and succeeds once the server has room, and says so', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'wait.hcl'), HOLD_PLAN);
  const serverLines: string[] = [];
  const logger: Logger = { log: (_level, msg) => void serverLines.push(msg) };
  const server = await serve(t, { token: 'retry-token', cwd, logger, queue: { maxRunning: 1, maxWaiting: 0 } });
  const clientLines: string[] = [];
  const log = new CliLogger({ level: 'debug', write: (line) => void clientLines.push(line) });
  const runner = await openRunner({
    local: false,
    localAddr: '',
    rpcAddr: `127.0.0.1:${server.port}`,
    rpcToken: 'retry-token',
    noToken: false,
    useSsl: false,
    caFile: '',
    certFile: '',
    keyFile: '',
    parallelism: 4,
    log,
  });
  t.teardown(() => runner.close());
  const spec = { kind: 'plan' as const, location: 'wait.hcl', params: {}, cwd, parallelism: 4 };
  const holding = runner.run(spec, () => undefined, new AbortController().signal);
  await waitFor({ lines: serverLines }, 'run started');
  const retried = runner.run(spec, () => undefined, new AbortController().signal);
  await waitFor({ lines: clientLines }, 'server is busy; retrying');
  fs.writeFileSync(path.join(cwd, 'release'), '');
  const [first, second] = await Promise.all([holding, retried]);
  t.true(first.ok);
  t.true(second.ok);
  t.true(clientLines.some((l) => l.includes('level="WARN"') && l.includes('--max-waiting')));
});
