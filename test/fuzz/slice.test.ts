/**
 * The bounded slice of the fuzz suite that runs in `npm test`: a few hundred seeded cases, each
 * validated (and planned where that runs no mutated command) with the run limits on. Every case must
 * end in ok or a positioned ConvergeError; `npm run fuzz -- --count 2000` runs the long version.
 */
import test from 'ava';
import { BAD_CLASSES } from './classify.js';
import { badCount, formatReport, fuzz } from './runner.js';
import { conformanceSeeds, fixtureSeeds } from './seeds.js';

const SLICE_SEED = 20_261_203;
const SLICE_COUNT = 300;

test('fuzz slice - 300 seeded mutations of the fixtures and samples end in ok or a positioned error', async (t) => {
  t.timeout(110_000);
  const seeds = [...fixtureSeeds(), ...conformanceSeeds()];
  const report = await fuzz({ seeds, count: SLICE_COUNT, seed: SLICE_SEED, examples: 2 });
  t.log(formatReport(report));
  t.is(report.count, SLICE_COUNT);
  t.true(report.counts.ok + report.counts.error > 0);
  t.is(badCount(report), 0, `bad classes: ${[...BAD_CLASSES].map((c) => `${c} ${report.counts[c]}`).join(', ')}`);
});

test('fuzz slice - the same seed gives the same classes', async (t) => {
  t.timeout(60_000);
  const seeds = fixtureSeeds();
  const first = await fuzz({ seeds, count: 12, seed: 7 });
  const second = await fuzz({ seeds, count: 12, seed: 7 });
  t.deepEqual(first.counts, second.counts);
  t.deepEqual(
    first.examples.error.map((e) => e.verdict.summary),
    second.examples.error.map((e) => e.verdict.summary),
  );
});
