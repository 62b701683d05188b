import test from 'ava';
import { RunRegistry } from '../../src/frontdoor/runs.js';
import type { NodeEvent } from '../../src/protocol.js';

const event = (id: string): NodeEvent => ({ id, stage: 'PLAN', run: 'STARTED', pass: 0 });

test('Run - numbers events from 1 in arrival order and wakes readers', async (t) => {
  const run = new RunRegistry().create('plan', 'm.hcl');
  const woken = run.changed();
  run.appendEvents([event('a'), event('b')]);
  await woken;
  t.is(run.eventCount, 2);
  t.deepEqual([run.eventAt(0)?.seq, run.eventAt(1)?.seq], [1, 2]);
  t.is(run.eventAt(1)?.event.id, 'b');
});

test('RunRegistry - unique ids; keeps running runs, drops the oldest finished ones past the limits', (t) => {
  const runs = new RunRegistry({ retainFinished: 2, retainEvents: 1_000 });
  const running = runs.create('apply', 'm.hcl');
  const made = Array.from({ length: 5 }, () => {
    const run = runs.create('plan', 'm.hcl');
    run.finish({ ok: true, nodes: 0 });
    return run;
  });
  runs.create('plan', 'trigger.hcl');
  t.is(new Set([running, ...made].map((r) => r.id)).size, 6);
  t.truthy(runs.get(running.id), 'a running run is never dropped');
  t.falsy(runs.get(made[0]!.id));
  t.truthy(runs.get(made[4]!.id));
});

test('RunRegistry - a few huge finished runs are dropped by event count', (t) => {
  const runs = new RunRegistry({ retainFinished: 100, retainEvents: 10 });
  const big = runs.create('plan', 'big.hcl');
  big.appendEvents(Array.from({ length: 8 }, (_v, i) => event(`n${i}`)));
  big.finish({ ok: true, nodes: 4 });
  const bigger = runs.create('plan', 'big.hcl');
  bigger.appendEvents(Array.from({ length: 8 }, (_v, i) => event(`n${i}`)));
  bigger.finish({ ok: true, nodes: 4 });
  runs.create('plan', 'trigger.hcl');
  t.falsy(runs.get(big.id));
  t.truthy(runs.get(bigger.id));
});

const bulky = (id: string, bytes: number): NodeEvent => ({
  id,
  stage: 'PLAN',
  run: 'FINISHED',
  pass: 0,
  details: { messages: ['x'.repeat(bytes)], changes: {}, hasChanges: false, error: '', warning: '' },
});

test('Run - estimates the bytes its events hold, task output counted in full', (t) => {
  const run = new RunRegistry().create('plan', 'm.hcl');
  run.appendEvents([bulky('a', 1_000_000)]);
  t.true(run.bytes >= 2_000_000 && run.bytes < 2_001_000, String(run.bytes));
});

test('RunRegistry - finished runs are dropped by bytes, oldest first, when they finish; running runs stay', (t) => {
  const runs = new RunRegistry({ retainFinished: 100, retainEvents: 100_000, retainBytes: 5_000_000 });
  const running = runs.create('apply', 'm.hcl');
  running.appendEvents([bulky('r', 4_000_000)]);
  const made = Array.from({ length: 4 }, (_v, i) => {
    const run = runs.create('plan', 'm.hcl');
    run.appendEvents([bulky(`n${i}`, 1_000_000)]);
    run.finish({ ok: true, nodes: 1 });
    return run;
  });
  // Each finished run holds about 2 MB: two fit in 5 MB, and the drop happens as the third finishes.
  t.falsy(runs.get(made[0]!.id));
  t.falsy(runs.get(made[1]!.id));
  t.truthy(runs.get(made[2]!.id));
  t.truthy(runs.get(made[3]!.id));
  t.true(runs.finishedBytes <= 5_000_000);
  t.truthy(runs.get(running.id), 'a running run is never dropped, whatever it holds');
});

test('RunRegistry - bad retention options are refused, naming the option', (t) => {
  t.throws(() => new RunRegistry({ retainBytes: -1 }), { message: /retainBytes/ });
});
