import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { oracleParse } from './oracle.js';
import { oursParse } from './ours.js';

// build/test/graph/hcl/differential.test.js -> repository root
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/hcl');
const CASES = path.resolve(ROOT, '../shared/conformance/cases');

function hclFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...hclFiles(full));
    else if (entry.name.endsWith('.hcl')) out.push(full);
  }
  return out.sort();
}

const invalidDir = path.join(FIXTURES, 'invalid');
const valid = [...hclFiles(CASES), ...hclFiles(FIXTURES).filter((f) => !f.startsWith(invalidDir + path.sep))];
const invalid = hclFiles(invalidDir);

test('there are fixtures to compare', (t) => {
  t.true(valid.length >= 6, `found ${valid.length} valid files`);
  t.true(invalid.length >= 5, `found ${invalid.length} invalid files`);
});

for (const file of valid) {
  test(`same structure as HCL v1: ${path.relative(path.dirname(ROOT), file)}`, (t) => {
    const source = fs.readFileSync(file, 'utf8');
    const theirs = oracleParse(source);
    const ours = oursParse(source, file);
    if (!theirs.ok) return t.fail(`oracle rejected: ${theirs.error}`);
    if (!ours.ok) return t.fail(`we rejected: ${ours.error.message}`);
    t.deepEqual(ours.value, theirs.value);
  });
}

for (const file of invalid) {
  test(`both reject: ${path.relative(ROOT, file)}`, (t) => {
    const source = fs.readFileSync(file, 'utf8');
    t.false(oracleParse(source).ok);
    const ours = oursParse(source, file);
    t.false(ours.ok);
    if (!ours.ok) t.true(ours.error.message.startsWith(`${file}:`), ours.error.message);
  });
}
