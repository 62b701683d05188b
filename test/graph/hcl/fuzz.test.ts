import test from 'ava';
import { isDeepStrictEqual } from 'node:util';
import { Rng, mutate, validDocument } from './generate.js';
import { oracleParse } from './oracle.js';
import { oursParse } from './ours.js';

const SEED = 0xc0ffee;
const CASES = 500;

type Verdict = 'same' | 'both-reject' | 'known-divergence' | 'mismatch';

/**
 * Agreement, with the two documented divergences: where HCL v1 silently accepts broken input we
 * reject (the error says which quirk), and we read 64-bit integers where the 32-bit GopherJS oracle
 * reports "value out of range".
 */
function compare(source: string): { verdict: Verdict; detail: string } {
  const theirs = oracleParse(source);
  const ours = oursParse(source);
  if (theirs.ok && ours.ok) {
    return isDeepStrictEqual(theirs.value, ours.value)
      ? { verdict: 'same', detail: '' }
      : { verdict: 'mismatch', detail: `theirs ${JSON.stringify(theirs.value)}\nours   ${JSON.stringify(ours.value)}` };
  }
  if (!theirs.ok && !ours.ok) return { verdict: 'both-reject', detail: '' };
  if (theirs.ok && !ours.ok && ours.error.details?.['hcl1Quirk'] !== undefined) {
    return { verdict: 'known-divergence', detail: ours.error.message };
  }
  if (!theirs.ok && ours.ok && theirs.error.includes('value out of range')) {
    return { verdict: 'known-divergence', detail: theirs.error };
  }
  return {
    verdict: 'mismatch',
    detail: theirs.ok ? `oracle accepted, we rejected: ${ours.ok ? '' : ours.error.message}` : `oracle rejected (${theirs.error}), we accepted`,
  };
}

test(`${CASES} generated documents (seed ${SEED}): both parsers agree or both reject`, (t) => {
  const rng = new Rng(SEED);
  const counts: Record<Verdict, number> = { same: 0, 'both-reject': 0, 'known-divergence': 0, mismatch: 0 };
  let validAccepted = 0;
  const failures: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const doc = validDocument(rng);
    const source = i % 2 === 0 ? doc : mutate(rng, doc);
    const { verdict, detail } = compare(source);
    counts[verdict]++;
    if (i % 2 === 0 && verdict === 'same') validAccepted++;
    if (verdict === 'mismatch' && failures.length < 5) failures.push(`case ${i}:\n${source}\n---\n${detail}`);
  }
  t.log(counts);
  t.deepEqual(failures, []);
  // The generator must mostly produce accepted documents, and the mutations must reach rejections,
  // or the property says little.
  t.true(validAccepted >= (CASES / 2) * 0.8, `only ${validAccepted} generated documents were accepted`);
  t.true(counts['both-reject'] >= CASES * 0.1, `only ${counts['both-reject']} rejections`);
});
