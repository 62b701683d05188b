import test from 'ava';
import { NodeSlots, type Release } from '../../src/graph/node-slots.js';

test('NodeSlots - a lane that asks after another lane queued ten requests is served within one turn, not eleventh', (t) => {
  const slots = new NodeSlots(1);
  const order: string[] = [];
  const held: Release[] = [];
  const big = slots.lane();
  const small = slots.lane();
  for (let i = 0; i < 10; i += 1) big.request((release) => (order.push(`big${i}`), held.push(release)));
  small.request((release) => (order.push('small'), held.push(release)));
  t.deepEqual(order, ['big0']);
  held.shift()!();
  held.shift()!();
  t.deepEqual(order, ['big0', 'big1', 'small']);
  while (held.length > 0) held.shift()!();
  t.is(order.length, 11);
  t.is(slots.inUse, 0);
});

test('NodeSlots - never more than the limit in flight; lanes alternate; a release twice frees one slot', (t) => {
  const slots = new NodeSlots(2);
  const lanes = [slots.lane(), slots.lane(), slots.lane()];
  const order: number[] = [];
  const held: Release[] = [];
  for (let round = 0; round < 3; round += 1) {
    lanes.forEach((lane, n) => lane.request((release) => (order.push(n), held.push(release))));
  }
  t.is(slots.inUse, 2);
  let maxInUse = 0;
  while (held.length > 0) {
    const release = held.shift()!;
    release();
    release();
    maxInUse = Math.max(maxInUse, slots.inUse);
  }
  t.true(maxInUse <= 2);
  t.is(order.length, 9);
  // Each lane gets its turn before any lane gets a third slot.
  t.deepEqual(order.slice(0, 6).sort(), [0, 0, 1, 1, 2, 2]);
});

test('NodeSlots - cancelled requests are dropped and the next lane is served', (t) => {
  const slots = new NodeSlots(1);
  const a = slots.lane();
  const b = slots.lane();
  let release!: Release;
  a.request((r) => (release = r));
  a.request(() => t.fail('cancelled request started'));
  let bStarted = false;
  b.request(() => (bStarted = true));
  t.is(a.cancelPending(), 1);
  release();
  t.true(bStarted);
});
