/**
 * Generated inputs: whatever the source, compiling and executing either succeeds or fails with a
 * positioned CNV_ERR_TEMPLATE_* error, never with an internal exception.
 */
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { compileTemplate } from '../../../src/graph/template/index.js';

const PIECES = [
  '{{', '}}', '{{- ', ' -}}', ' ', '\n', 'x', '.', '.A', '.b', '$', '$x', ':=', '=', '|', '(', ')', ',',
  '"s"', '`r`', "'c'", '1', '-2', '1.5', '0x1f', 'true', 'nil', 'if', 'else', 'end', 'range', 'with',
  'break', 'continue', 'eq', 'len', 'index', 'printf', '"%d %v"', 'and', 'or', 'not', 'f', '/*', '*/',
];

/** Small deterministic PRNG (mulberry32), so a failure reproduces from the seed in the title. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261125;

test(`compileTemplate()/execute() - 3000 generated sources fail only with template errors (seed ${SEED})`, (t) => {
  const next = rng(SEED);
  const dots: unknown[] = [undefined, null, { A: [1, 2], b: { c: 'd' } }, [1, 'two', null], 'str', 3];
  let compiled = 0;
  let executed = 0;
  for (let i = 0; i < 3000; i++) {
    const count = 1 + Math.floor(next() * 12);
    let source = '';
    for (let j = 0; j < count; j++) source += PIECES[Math.floor(next() * PIECES.length)];
    const dot = dots[i % dots.length];
    try {
      const template = compileTemplate(source, { funcNames: ['f'], file: 'gen.hcl', line: 1, column: 1 });
      compiled++;
      template.calls();
      template.execute(dot, { f: (...args: unknown[]) => args.length });
      executed++;
    } catch (error) {
      if (!(error instanceof ConvergeError) || !/^CNV_ERR_TEMPLATE_(PARSE|EXEC)$/.test(error.code)) {
        t.fail(`${JSON.stringify(source)} threw ${String(error)}`);
        return;
      }
      if (!/^gen\.hcl:\d+:\d+: template: /.test(error.message)) {
        t.fail(`${JSON.stringify(source)}: unpositioned message ${error.message}`);
        return;
      }
    }
  }
  // The generator must exercise both paths, or the test proves nothing.
  t.true(compiled > 300, `compiled ${compiled}`);
  t.true(executed > 300, `executed ${executed}`);
});
