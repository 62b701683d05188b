/**
 * Runaway modules against the real server: a render that would run for minutes stops within about a
 * second once its client cancels, because the engine polls the pool's cancel flag inside template
 * loops (the backstop is set out of reach, so only that polling can stop it); a job stuck in a loop
 * that never polls is stopped by the pool replacing its thread; and a normal plan beside two
 * runaways is served in about its usual time. Times are logged; the bounds asserted are loose (this
 * machine is shared), only to tell "stopped by polling" or "served meanwhile" (a few seconds at most,
 * a spare thread may have to start) from "never" (the runaways run for minutes, the grace is 60 s).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import type { ConvergeClient, ExecutorStream } from '../../src/frontdoor/client.js';
import type { Logger } from '../../src/frontdoor/logger.js';
import { client, serve, tempDir } from './helpers.js';
import { collect } from './streams.js';

const FIXTURE_WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workers/runaway.worker.js');

// Ten billion range steps: many minutes of work. The step limit is raised so that only a stop ends it.
const RUNAWAY = 'file.content "r" {\n  destination = "r.txt"\n  content = "{{range 100000}}{{range 100000}}{{end}}{{end}}"\n}\n';
const NORMAL = 'file.content "n" {\n  destination = "n.txt"\n  content = "n"\n}\n';
const UNBOUNDED_STEPS = { templateSteps: 1e15 };

/** Records when each run ended (finished, failed or cancelled), by the server's own log. */
function endLog(): { logger: Logger; started: () => number; ended: number[] } {
  let started = 0;
  const ended: number[] = [];
  const logger: Logger = {
    log: (_level, msg) => {
      if (msg === 'run started') started += 1;
      else if (msg.startsWith('run ')) ended.push(performance.now());
    },
  };
  return { logger, started: () => started, ended };
}

async function until(condition: () => boolean, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Drains a stream, keeping whatever error it ends with. */
function drain(stream: ExecutorStream): Promise<unknown> {
  return collect(stream).then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function timedPlan(c: ConvergeClient, location: string): Promise<number> {
  const started = performance.now();
  const result = await collect(c.plan({ location }));
  if (result.events.filter((e) => e.run === 'FINISHED').length !== 2) throw new Error('normal plan did not finish its nodes');
  return performance.now() - started;
}

function moduleDir(t: ExecutionContext): string {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'runaway.hcl'), RUNAWAY);
  fs.writeFileSync(path.join(cwd, 'normal.hcl'), NORMAL);
  return cwd;
}

test('runaway - a ten-billion-step range cancelled by its client stops within about a second, by polling (no thread replacement)', async (t) => {
  const cwd = moduleDir(t);
  const log = endLog();
  const server = await serve(t, { cwd, logger: log.logger, limits: UNBOUNDED_STEPS, workers: { threads: 1, cancelGraceMs: 60_000 } });
  const c = client(t, server);
  const stream = c.plan({ location: 'runaway.hcl' });
  const outcome = drain(stream);
  await until(() => log.started() === 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(log.ended.length, 0, 'the runaway is still rendering');
  const cancelledAt = performance.now();
  stream.cancel();
  await outcome;
  await until(() => log.ended.length === 1, 10_000);
  const stopMs = log.ended[0]! - cancelledAt;
  t.log(`stopped ${stopMs.toFixed(0)} ms after the client cancelled`);
  t.true(stopMs < 5000, `stopped by polling, not by the 60 s backstop (${stopMs.toFixed(0)} ms)`);
  // The same single thread serves the next plan: it was never replaced.
  t.true((await timedPlan(c, 'normal.hcl')) < 10_000);
});

// On a loaded CI machine this once took 208 s: the normal plan reached a thread in the moments before a
// runaway began to render there. A runaway now leaves a shared thread within its first 100 ms (run.worker.ts).
test('runaway - a normal plan beside two runaway renders is served in about its usual time; both stop once cancelled', async (t) => {
  const cwd = moduleDir(t);
  const log = endLog();
  const server = await serve(t, { cwd, logger: log.logger, limits: UNBOUNDED_STEPS, workers: { threads: 2, cancelGraceMs: 60_000 } });
  const c = client(t, server);
  await timedPlan(c, 'normal.hcl');
  const usual = await timedPlan(c, 'normal.hcl');
  const streams = [c.plan({ location: 'runaway.hcl' }), c.plan({ location: 'runaway.hcl' })];
  const outcomes = streams.map(drain);
  await until(() => log.started() === 4);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const beside = await timedPlan(c, 'normal.hcl');
  t.log(`normal plan alone ${usual.toFixed(0)} ms, beside two runaways ${beside.toFixed(0)} ms`);
  t.true(beside < usual + 8000, `beside ${beside.toFixed(0)} ms, usual ${usual.toFixed(0)} ms`);
  const endedBefore = log.ended.length;
  const cancelledAt = performance.now();
  for (const stream of streams) stream.cancel();
  await Promise.all(outcomes);
  await until(() => log.ended.length === endedBefore + 2, 10_000);
  const stopMs = Math.max(...log.ended.slice(endedBefore)) - cancelledAt;
  t.log(`both runaways stopped ${stopMs.toFixed(0)} ms after cancel`);
  t.true(stopMs < 5000);
});

test('runaway - a normal plan sent together with two runaways on a one-thread server is not held by them: each runaway moves to a thread of its own', async (t) => {
  const cwd = moduleDir(t);
  const log = endLog();
  const server = await serve(t, { cwd, logger: log.logger, limits: UNBOUNDED_STEPS, workers: { threads: 1, cancelGraceMs: 60_000 } });
  const c = client(t, server);
  const usual = await timedPlan(c, 'normal.hcl');
  const streams = [c.plan({ location: 'runaway.hcl' }), c.plan({ location: 'runaway.hcl' })];
  const outcomes = streams.map(drain);
  const beside = await timedPlan(c, 'normal.hcl');
  t.log(`normal plan alone ${usual.toFixed(0)} ms, sent with two runaways ${beside.toFixed(0)} ms`);
  t.true(beside < usual + 8000, `beside ${beside.toFixed(0)} ms, usual ${usual.toFixed(0)} ms`);
  const endedBefore = log.ended.length;
  for (const stream of streams) stream.cancel();
  await Promise.all(outcomes);
  // Each runaway has a spare thread of its own; cancelled, they stop by polling.
  await until(() => log.ended.length === endedBefore + 2, 10_000);
  t.is(log.ended.length, endedBefore + 2);
});

test('runaway - a job stuck in a loop that never polls is stopped by replacing its thread; a normal plan beside two is served meanwhile', async (t) => {
  const cwd = moduleDir(t);
  const log = endLog();
  const server = await serve(t, { cwd, logger: log.logger, workers: { threads: 2, cancelGraceMs: 300, workerFile: FIXTURE_WORKER } });
  const c = client(t, server);
  const usual = await timedPlan(c, 'normal.hcl');
  const streams = [c.plan({ location: 'spin-forever.hcl' }), c.plan({ location: 'spin-forever.hcl' })];
  const outcomes = streams.map(drain);
  await until(() => log.started() === 3);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const beside = await timedPlan(c, 'normal.hcl');
  t.log(`normal plan alone ${usual.toFixed(0)} ms, beside two stuck jobs ${beside.toFixed(0)} ms`);
  t.true(beside < usual + 8000, `beside ${beside.toFixed(0)} ms, usual ${usual.toFixed(0)} ms`);
  const endedBefore = log.ended.length;
  const cancelledAt = performance.now();
  for (const stream of streams) stream.cancel();
  await Promise.all(outcomes);
  await until(() => log.ended.length === endedBefore + 2, 10_000);
  t.is(log.ended.length, endedBefore + 2, 'both stuck jobs ended');
  t.log(`stuck jobs ended ${(Math.max(...log.ended.slice(endedBefore)) - cancelledAt).toFixed(0)} ms after cancel`);
  t.true((await timedPlan(c, 'normal.hcl')) < 10_000, 'the pool serves on with fresh threads');
});
