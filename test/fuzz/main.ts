/**
 * `npm run fuzz -- [--count N] [--seed N] [--hang-ms MS] [--memory-mb MB] [--cases DIR] [--fixtures-only]
 * [--examples N] [--save DIR]`: mutates the seed modules, validates (and where safe plans) each case,
 * and prints the counts per class. Exits 1 when any case is unpositioned, a crash, a hang or an OOM.
 */
import { parseArgs } from 'node:util';
import { badCount, formatReport, fuzz, FUZZ_LIMITS } from './runner.js';
import { conformanceSeeds, DEFAULT_CONFORMANCE_CASES, fixtureSeeds } from './seeds.js';

/** The default seed, fixed so that two runs with the same options try the same cases. */
export const DEFAULT_FUZZ_SEED = 8;

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`Expected \`--${name}\` to be an integer >= 0, got \`${value}\``);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      seed: { type: 'string' },
      'hang-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      cases: { type: 'string' },
      'fixtures-only': { type: 'boolean' },
      examples: { type: 'string' },
      save: { type: 'string' },
    },
  });
  const seed = integer('seed', values.seed, DEFAULT_FUZZ_SEED);
  const casesDir = values.cases ?? DEFAULT_CONFORMANCE_CASES;
  const conformance = values['fixtures-only'] === true ? [] : conformanceSeeds(casesDir);
  const seeds = [...fixtureSeeds(), ...conformance];
  console.log(`fuzz: seed ${seed} (repeat with --seed ${seed}); ${seeds.length} seeds (${conformance.length} from ${casesDir})`);
  console.log(`fuzz: limits ${JSON.stringify(FUZZ_LIMITS)}`);
  const report = await fuzz({
    seeds,
    count: integer('count', values.count, 500),
    seed,
    hangMs: integer('hang-ms', values['hang-ms'], 20_000),
    memoryMb: integer('memory-mb', values['memory-mb'], 1024),
    examples: integer('examples', values.examples, 3),
    ...(values.save !== undefined ? { saveDir: values.save } : {}),
    onProgress: (done, counts) => {
      if (done % 250 === 0) process.stderr.write(`  ${done} cases: ${JSON.stringify(counts)}\n`);
    },
  });
  console.log(formatReport(report));
  return badCount(report) === 0 ? 0 : 1;
}

process.exitCode = await main();
