import test from 'ava';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConvergeError } from '../../../src/errors.js';
import { formatHcl, parseHcl, toPlain } from '../../../src/graph/hcl/index.js';
import { Rng, validDocument } from './generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/hcl');
const CASES = path.resolve(ROOT, '../shared/conformance/cases');
const hcl = createRequire(import.meta.url)('js-hcl-parser') as { stringify(source: string): string };

/** HashiCorp's HCL v1 printer (through the oracle), with the one trailing newline `fmt` writes. */
function hashicorpFormat(source: string): string | undefined {
  let out: string;
  try {
    out = hcl.stringify(source);
  } catch {
    return undefined;
  }
  if (out.startsWith('unable to')) return undefined;
  const trimmed = out.replace(/\n+$/, '');
  return trimmed === '' ? '' : `${trimmed}\n`;
}

function hclFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.hcl') && !path.join(e.parentPath, e.name).includes(`${path.sep}invalid${path.sep}`))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const samples = hclFiles(CASES);
const fixtures = hclFiles(FIXTURES);

// The samples are the conformance kit's, outside this repository; without the kit the test is skipped, not passed.
const withSamples = samples.length > 0 ? test : test.skip;
withSamples(`conformance samples that the original accepted in \`fmt --check\` stay unchanged${samples.length > 0 ? '' : ` (skipped: no samples at ${CASES})`}`, (t) => {
  let unchanged = 0;
  for (const file of samples) {
    const source = fs.readFileSync(file, 'utf8');
    const theirs = hashicorpFormat(source);
    const ours = formatHcl(source, file);
    t.is(ours as string | undefined, theirs, file);
    if (ours === source) unchanged++;
  }
  t.log(`${unchanged} of ${samples.length} samples unchanged`);
  t.true(unchanged >= samples.length - 2);
});

for (const file of fixtures) {
  test(`same layout as HCL v1's printer: ${path.relative(ROOT, file)}`, (t) => {
    const source = fs.readFileSync(file, 'utf8');
    t.is(formatHcl(source, file) as string | undefined, hashicorpFormat(source));
  });
}

test('alignment of consecutive one-line assignments and their comments', (t) => {
  t.is(
    formatHcl('a "x" {\n  b = 1 # one\n  ccc = "two" // two\n\n  d = [1,2]\n  e = 3\n}\n', 'x.hcl'),
    'a "x" {\n  b   = 1     # one\n  ccc = "two" // two\n\n  d = [1, 2]\n  e = 3\n}\n',
  );
});

test('blank lines: between top-level items, not between adjacent empty blocks', (t) => {
  t.is(formatHcl('b = 1\nc = 2\nx {}\ny {}\nz { k = 1 }', 'x.hcl'), 'b = 1\n\nc = 2\n\nx {}\ny {}\n\nz {\n  k = 1\n}\n');
});

test('single-line objects are expanded and lists keep or lose their single line', (t) => {
  t.is(formatHcl('a = {b = 1, c = 2}\nl = [1,\n2]\nm = [{a=1}, [2, 3]]', 'x.hcl'), 'a = {\n  b = 1\n\n  c = 2\n}\n\nl = [\n  1,\n  2,\n]\n\nm = [\n  {\n    a = 1\n  },\n  [2, 3],\n]\n');
});

test('heredocs and multi-line strings keep their lines as written', (t) => {
  const source = 'task "t" {\n      check = <<EOF\n  keep\nEOF\n  s = "${\nx}"\n}\n';
  t.is(formatHcl(source, 'x.hcl'), 'task "t" {\n  check = <<EOF\n  keep\nEOF\n\n  s = "${\nx}"\n}\n');
});

test('comments: lead, line, standalone and trailing are kept', (t) => {
  const source = '# top\n\n# lead\na "b" {} # line\n/* between */\nc = [\n  1, # one\n  "two",\n]\n# end\n';
  t.is(formatHcl(source, 'x.hcl'), '# top\n\n# lead\na "b" {} # line\n\n/* between */\nc = [\n  1,     # one\n  "two",\n]\n\n# end\n');
});

test('deliberate differences from HCL v1 that keep the output stable and valid', (t) => {
  // A comment after a heredoc goes above it, not onto the closing line.
  t.is(formatHcl('x {\n  y = 1, // c\n  a = <<E\nz\nE\n}\n', 'x.hcl'), 'x {\n  y = 1\n\n  // c\n  a = <<E\nz\nE\n}\n');
  // Lines 2+ of a multi-line lead comment are not re-indented on every run.
  const comment = 'x {\n  /* a\n     b */\n  y = 1\n}\n';
  t.is(formatHcl(comment, 'x.hcl'), comment);
  // Keys in an aligned run are never glued together.
  t.is(formatHcl('x {\n  a = 1\n  b "long-label" {}\n}\n', 'x.hcl'), 'x {\n  a = 1\n  b "long-label" {}\n}\n');
});

test('an empty file stays empty; bad input is a parse error', (t) => {
  t.is(formatHcl('', 'x.hcl'), '');
  t.is(formatHcl('\n\n', 'x.hcl'), '');
  const error = t.throws(() => formatHcl('a = {', 'bad.hcl'), { instanceOf: ConvergeError });
  t.is(error?.code, 'CNV_ERR_HCL_PARSE');
});

test('generated documents: idempotent, same structure, mostly identical to HCL v1', (t) => {
  const rng = new Rng(7);
  let identical = 0;
  let compared = 0;
  for (let i = 0; i < 300; i++) {
    const source = validDocument(rng);
    let before: unknown;
    try {
      before = toPlain(parseHcl(source, 'g.hcl'));
    } catch {
      continue; // the generator can repeat a key with clashing types
    }
    const once = formatHcl(source, 'g.hcl');
    t.is(formatHcl(once, 'g.hcl'), once, `not idempotent:\n${source}`);
    t.deepEqual(toPlain(parseHcl(once, 'g.hcl')), before, `structure changed:\n${source}`);
    compared++;
    if (once === hashicorpFormat(source)) identical++;
  }
  t.log(`${identical} of ${compared} identical to HCL v1's printer`);
  t.true(compared >= 200);
  t.true(identical >= compared * 0.75, `${identical} of ${compared}`);
});
