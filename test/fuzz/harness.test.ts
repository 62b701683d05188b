/**
 * The fuzz harness itself: that each bad class is seen when it happens, on real runs of the engine
 * with limits loosened so that it can run away.
 */
import test from 'ava';
import type { CaseResult } from './case.worker.js';
import { classify } from './classify.js';
import { runOne } from './runner.js';
import type { Seed } from './seeds.js';

function seed(content: string): Seed {
  const text = `file.content "x" {\n  destination = "x"\n  content     = ${JSON.stringify(content)}\n}\n`;
  return { name: 'harness', main: 'main.hcl', files: { 'main.hcl': text }, params: {} };
}

test('runOne() - a render with no step limit and no deadline is a hang, and its process is killed', async (t) => {
  const verdict = await runOne(seed('{{range 100000000}}{{end}}'), { hangMs: 1500, limits: { templateSteps: 1e15, runTimeoutMs: 0 } });
  t.is(verdict.cls, 'hang');
});

test('runOne() - a render with no byte limit on a small heap is an oom, and the runner survives it', async (t) => {
  const big = `{{$x := printf "%1000000s" "a"}}{{$x = printf "${'%s'.repeat(10)}"${' $x'.repeat(10)}}}{{$a := split "" $x}}{{$b := split "" $x}}{{len $a}}`;
  const verdict = await runOne(seed(big), { memoryMb: 64, limits: { templateOutputBytes: 2 ** 40 } });
  t.is(verdict.cls, 'oom');
  t.is((await runOne(seed('{{1}}'))).cls, 'ok');
});

test('runOne() - the same render with the limits on is a positioned error', async (t) => {
  const verdict = await runOne(seed('{{range 100000000}}{{end}}'), { limits: { templateSteps: 100_000 } });
  t.is(verdict.cls, 'error');
  t.is(verdict.code, 'CNV_ERR_LIMIT_TEMPLATE_STEPS');
});

const thrown = (name: string, message: string, code?: string, details?: Record<string, unknown>) => ({
  ok: false as const,
  thrown: { name, code, message, details, convergeError: name === 'ConvergeError' && code !== undefined, stack: `${name}: ${message}\n    at x (y.js:1:1)` },
});

test('classify() - a raw JS error is a crash, a ConvergeError without a position is unpositioned', (t) => {
  const result = (validate: CaseResult['validate']): CaseResult => ({ id: 0, validate, nodeErrors: [] });
  t.is(classify(result(thrown('TypeError', "Cannot read properties of undefined (reading 'x')"))).cls, 'crash');
  t.is(classify(result(thrown('ConvergeError', 'duplicate resource task.t', 'CNV_ERR_LOAD_STRUCTURE'))).cls, 'unpositioned');
  t.is(classify(result(thrown('ConvergeError', 'main.hcl:2:1: duplicate resource task.t', 'CNV_ERR_LOAD_STRUCTURE'))).cls, 'error');
  const details = { file: 'main.hcl', line: 2, column: 1 };
  t.is(classify(result(thrown('ConvergeError', 'elsewhere', 'CNV_ERR_LOAD_STRUCTURE', details))).cls, 'error');
  t.is(classify(result(thrown('ConvergeError', 'time per run limit of 10s reached', 'CNV_ERR_LIMIT_RUN_TIME'))).cls, 'error');
});

test('classify() - a plan whose node reports a raw JS error is a crash', (t) => {
  const ok = { ok: true as const, nodes: 2 };
  t.is(classify({ id: 0, validate: ok, plan: ok, nodeErrors: ['Invalid string length'] }).cls, 'crash');
  t.is(classify({ id: 0, validate: ok, plan: ok, nodeErrors: ['cannot update contents of "x", it is a directory'] }).cls, 'ok');
});
