import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import type { NodeEvent } from '../../../src/protocol.js';
import { fixtureDir, run, tempDir } from './helpers.js';

test('runJob - plan reports changes, apply writes, a second plan is clean', async (t) => {
  const dir = fixtureDir(t, 'two-files.hcl');
  const plan = await run('plan', dir, 'two-files.hcl');
  t.true(plan.results.get('root/file.content.first')?.hasChanges);
  t.false(fs.existsSync(path.join(dir, 'first.txt')));
  const apply = await run('apply', dir, 'two-files.hcl');
  t.true(apply.results.get('root/file.content.second')?.hasChanges);
  t.is(fs.readFileSync(path.join(dir, 'first.txt'), 'utf8'), 'hello first');
  t.is(fs.readFileSync(path.join(dir, 'second.txt'), 'utf8'), 'hello first and second');
  const again = await run('plan', dir, 'two-files.hcl');
  for (const [id, details] of again.results) t.false(details.hasChanges, id);
  t.deepEqual(again.results.get('root/param.greeting')?.messages, ['hello']);
});

test('runJob - every vertex gets STARTED then FINISHED; children and dependencies finish first', async (t) => {
  const dir = fixtureDir(t, 'two-files.hcl');
  const record = await run('plan', dir, 'two-files.hcl');
  t.is(record.nodes, 4);
  t.is(record.events.length, 8);
  const order = record.events.filter((e) => e.run === 'FINISHED').map((e) => e.id);
  t.is(order.at(-1), 'root');
  t.true(order.indexOf('root/file.content.first') < order.indexOf('root/file.content.second'));
  t.true(order.indexOf('root/param.greeting') < order.indexOf('root/file.content.first'));
  for (const id of order) {
    const started = record.events.findIndex((e) => e.id === id && e.run === 'STARTED');
    const finished = record.events.findIndex((e) => e.id === id && e.run === 'FINISHED');
    t.true(started >= 0 && started < finished);
  }
  t.true(record.events.every((e) => e.stage === 'PLAN' && e.pass === 0));
  t.true(record.edges.some((e) => e.source === 'root' && e.dest === 'root/file.content.first' && e.attributes?.[0] === 'parent'));
});

test('runJob - a failed apply cascades as "error in dependency"; independent branches go on', async (t) => {
  const dir = fixtureDir(t, 'failure.hcl');
  const record = await run('apply', dir, 'failure.hcl');
  const failed = record.results.get('root/task.will-fail')!;
  t.is(failed.error, 'root/task.will-fail still has changes after apply');
  t.true(failed.hasChanges);
  t.is(record.results.get('root/task.dependent')?.error, 'error in dependency "root/task.will-fail"');
  t.is(record.results.get('root/task.transitive')?.error, 'error in dependency "root/task.dependent"');
  t.false(fs.existsSync(path.join(dir, 'dependent.txt')));
  t.is(record.results.get('root/task.independent')?.error, '');
  t.true(fs.existsSync(path.join(dir, 'independent.txt')));
  t.true(record.events.every((e) => e.stage === 'APPLY'));
});

test('runJob - parallelism bounds the nodes in flight', async (t) => {
  // Each task waits until two tasks have started: with parallelism 1 this could never finish.
  let hcl = '';
  for (let i = 0; i < 6; i++) {
    hcl += `task "t${i}" {\n  check = "touch started.${i}; while [ $(ls started.* | wc -l) -lt 2 ]; do sleep 0.01; done; echo ${i}"\n  apply = "true"\n}\n`;
  }
  const dir = tempDir(t, { 'main.hcl': hcl });
  let inFlight = 0;
  let most = 0;
  const onEvent = (e: NodeEvent): void => {
    if (!e.id.startsWith('root/task.')) return;
    inFlight += e.run === 'STARTED' ? 1 : -1;
    most = Math.max(most, inFlight);
  };
  const record = await run('plan', dir, 'main.hcl', { parallelism: 2, onEvent });
  t.is(most, 2);
  t.is(record.results.size, 7);
});

test('runJob - params: strings from -p, typed values from JSON, module params, required params', async (t) => {
  const dir = fixtureDir(t, 'caller.hcl', 'child.hcl');
  await run('apply', dir, 'caller.hcl', { params: { items: ['x', 'y', 'z'] } });
  t.is(fs.readFileSync(path.join(dir, 'one.txt'), 'utf8'), 'x,y,z');
  t.is(fs.readFileSync(path.join(dir, 'two.txt'), 'utf8'), 'none');
  const required = tempDir(t, { 'main.hcl': 'param "needed" {}\n' });
  const error = (await t.throwsAsync(run('plan', required, 'main.hcl'))) as ConvergeError;
  t.is(error.code, 'CNV_ERR_PARAM_REQUIRED');
  t.regex(error.message, /main\.hcl:1:1: needed param is required/);
  const given = await run('plan', required, 'main.hcl', { params: { needed: 'yes' } });
  t.deepEqual(given.results.get('root')?.messages, ['needed: yes']);
});

test('runJob - switch: only the first true branch runs; the others are skipped with their predicate', async (t) => {
  const dir = fixtureDir(t, 'switch.hcl');
  const record = await run('apply', dir, 'switch.hcl', { params: { lang: 'french' } });
  t.is(fs.readFileSync(path.join(dir, 'greeting.txt'), 'utf8'), 'salut');
  const skipped = record.results.get('root/macro.switch.greet/macro.case.spanish/file.content.greeting')!;
  t.deepEqual(skipped.messages, [
    'Skipping check; short-circuited in conditional',
    'predicate: eq `spanish` `{{param `lang`}}`',
  ]);
  t.false(skipped.hasChanges);
  t.deepEqual(record.results.get('root/macro.switch.greet/macro.case.french')?.messages, []);
  t.is(record.results.get('root/macro.switch.greet/macro.case.default/file.content.greeting')?.messages[0], 'Skipping check; short-circuited in conditional');
  const fallback = tempDir(t, { 'switch.hcl': fs.readFileSync(path.join(dir, 'switch.hcl'), 'utf8') });
  await run('apply', fallback, 'switch.hcl');
  t.is(fs.readFileSync(path.join(fallback, 'greeting.txt'), 'utf8'), 'hello');
});

test('runJob - lookups render after the producer ran; an unresolvable field fails only that node', async (t) => {
  const dir = fixtureDir(t, 'lookups.hcl');
  const record = await run('apply', dir, 'lookups.hcl');
  t.is(fs.readFileSync(path.join(dir, 'who.txt'), 'utf8'), 'converge');
  const broken = record.results.get('root/task.missing-field')!;
  t.regex(broken.error, /node is unresolvable/);
  t.is(record.results.get('root/file.content.out')?.error, '');
});

test('runJob - healthcheck runs a plan pass, then a health pass with failing dependencies', async (t) => {
  const dir = fixtureDir(t, 'healthcheck.hcl');
  const record = await run('healthcheck', dir, 'healthcheck.hcl');
  t.true(record.events.some((e) => e.pass === 0) && record.events.some((e) => e.pass === 1));
  t.true(record.events.every((e) => e.stage === 'PLAN'));
  const passes = record.events.filter((e) => e.id === 'root' && e.run === 'FINISHED').map((e) => e.pass);
  t.deepEqual(passes, [0, 1]);
  const derived = record.health.get('root/file.content.derived')!;
  t.is(derived.health?.level, 'warning');
  t.deepEqual(derived.health?.failingDependencies, ['root/file.content.base']);
  t.is(derived.error, 'required changes detected; required dependencies are failing');
  t.true(derived.messages.includes('1 failing dependencies'));
  t.is(record.health.get('root/task.steady')?.health?.level, 'healthy');
  t.is(record.health.get('root/task.steady')?.error, '');
});

test('runJob - cancelling stops scheduling new nodes and rejects with CNV_ERR_JOB_CANCELLED', async (t) => {
  let hcl = '';
  for (let i = 0; i < 5; i++) hcl += `task "t${i}" {\n  check = "echo ${i}"\n  apply = "true"\n}\n`;
  const dir = tempDir(t, { 'main.hcl': hcl });
  const controller = new AbortController();
  const finished: string[] = [];
  const error = (await t.throwsAsync(
    run('plan', dir, 'main.hcl', {
      parallelism: 1,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.run === 'STARTED' && e.id === 'root/task.t0') controller.abort();
        if (e.run === 'FINISHED') finished.push(e.id);
      },
    }),
  )) as ConvergeError;
  t.is(error.code, 'CNV_ERR_JOB_CANCELLED');
  t.deepEqual(finished, ['root/task.t0']);
});
