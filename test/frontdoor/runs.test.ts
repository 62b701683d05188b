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
