import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Ajv } from 'ajv';
import { ROOT, LOCAL, runCli, scratchDir } from './run-cli.js';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/json-output.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

type Line = Record<string, unknown> & { type: string };

/** Every stdout line must be one object matching the schema; returns them parsed. */
function checkedLines(t: ExecutionContext, stdout: string): Line[] {
  t.true(stdout.endsWith('\n'), 'output ends with a newline');
  const lines = stdout.slice(0, -1).split('\n');
  return lines.map((text, i) => {
    const line = JSON.parse(text) as Line;
    t.true(validate(line), `line ${i + 1} ${text}: ${JSON.stringify(validate.errors)}`);
    return line;
  });
}

/** `Summary: 1 errors, 2 changes, 2 dependency errors` from the human report. */
function humanSummary(stdout: string): { errors: number; changes: number; dependencyErrors: number } {
  const match = /\nSummary: (\d+) errors, (\d+) changes(?:, (\d+) dependency errors)?\n$/.exec(stdout);
  if (match === null) throw new Error(`no summary in ${stdout}`);
  return { errors: Number(match[1]), changes: Number(match[2]), dependencyErrors: Number(match[3] ?? 0) };
}

function summaryOf(lines: readonly Line[]): Line {
  const summaries = lines.filter((l) => l.type === 'summary');
  if (summaries.length !== 1) throw new Error(`expected one summary, got ${summaries.length}`);
  return summaries[0]!;
}

/** Each node starts before it finishes, and each finishes once per pass. */
function checkNodeOrder(t: ExecutionContext, lines: readonly Line[]): void {
  const started = new Set<string>();
  const finished = new Set<string>();
  for (const line of lines.filter((l) => l.type === 'node')) {
    const key = `${String(line['pass'])}:${String(line['id'])}`;
    if (line['phase'] === 'started') started.add(key);
    else {
      t.true(started.has(key), `${key} finished before it started`);
      t.false(finished.has(key), `${key} finished twice`);
      finished.add(key);
    }
  }
  t.is(finished.size, started.size);
}

test('plan -o json - every line validates; header first, summary last, agreeing with the human report', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const [json, human] = await Promise.all([runCli(['plan', ...LOCAL, '-o', 'json', 'two.hcl'], dir), runCli(['plan', ...LOCAL, 'two.hcl'], dir)]);
  t.is(json.code, 0, json.stderr);
  const lines = checkedLines(t, json.stdout);
  t.deepEqual(lines[0], { type: 'version', schema: 1, converge: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
  t.is(lines[1]!.type, 'started');
  t.is(lines.at(-1)!.type, 'summary');
  checkNodeOrder(t, lines);
  const summary = summaryOf(lines);
  t.like(summary, { command: 'plan', ok: true, ...humanSummary(human.stdout) });
  const greeting = lines.find((l) => l['id'] === 'root/file.content.greeting' && l['phase'] === 'finished')!;
  t.like(greeting, { status: 'changes', changes: { 'greeting.txt': { original: '<file-missing>', current: 'hello', changes: true } } });
  t.notRegex(json.stdout, /level=/, 'logs stay on stderr');
});

test('apply --output json - errors and dependency errors: lines validate, statuses and summary agree with the human report', async (t) => {
  const jsonDir = scratchDir(t, 'failure.hcl');
  const humanDir = scratchDir(t, 'failure.hcl');
  const [json, human] = await Promise.all([
    runCli(['apply', ...LOCAL, '--output', 'json', 'failure.hcl'], jsonDir),
    runCli(['apply', ...LOCAL, 'failure.hcl'], humanDir),
  ]);
  t.is(json.code, 1);
  t.is(human.code, 1);
  const lines = checkedLines(t, json.stdout);
  checkNodeOrder(t, lines);
  t.like(summaryOf(lines), { command: 'apply', ok: false, ...humanSummary(human.stdout) });
  const status = (id: string): unknown => lines.find((l) => l['id'] === id && l['phase'] === 'finished')?.['status'];
  t.is(status('root/task.will-fail'), 'error');
  t.is(status('root/task.dependent'), 'dependency-error');
  t.is(status('root/task.independent'), 'applied');
  t.true(fs.existsSync(path.join(jsonDir, 'independent.txt')));
});

test('healthcheck -o json - both passes validate; the summary agrees with the human report', async (t) => {
  const dir = scratchDir(t, 'health.hcl');
  const [json, human] = await Promise.all([
    runCli(['healthcheck', ...LOCAL, '-o', 'json', 'health.hcl'], dir),
    runCli(['healthcheck', ...LOCAL, 'health.hcl'], dir),
  ]);
  t.is(json.code, 0, json.stderr);
  const lines = checkedLines(t, json.stdout);
  checkNodeOrder(t, lines);
  const summary = summaryOf(lines);
  const match = /\nSummary: (\d+) errors, (\d+) warnings\n(\d+) checks will fail due to failing dependencies\n$/.exec(human.stdout)!;
  t.like(summary, { command: 'healthcheck', errors: Number(match[1]), warnings: Number(match[2]), failingDependencies: Number(match[3]) });
  const health = lines.filter((l) => l.type === 'node' && l['pass'] === 1 && l['phase'] === 'finished');
  t.true(health.some((l) => l['id'] === 'root/healthcheck.task.sick' && l['status'] !== 'healthy'));
  t.true(health.some((l) => l['id'] === 'root/healthcheck.task.fine' && l['status'] === 'healthy'));
});

test('graph and validate -o json - vertices, edges and summaries validate', async (t) => {
  const dir = scratchDir(t, 'two.hcl', 'bad-param.hcl');
  const graph = await runCli(['graph', ...LOCAL, '-o', 'json', 'two.hcl'], dir);
  t.is(graph.code, 0, graph.stderr);
  const lines = checkedLines(t, graph.stdout);
  const edges = lines.filter((l) => l.type === 'edge');
  t.true(edges.some((e) => e['source'] === 'root/task.copy' && e['dest'] === 'root/file.content.greeting'));
  t.like(summaryOf(lines), { command: 'graph', ok: true, edges: edges.length, vertices: lines.filter((l) => l.type === 'vertex').length });

  const valid = await runCli(['validate', '-o', 'json', 'two.hcl', 'bad-param.hcl'], dir);
  t.is(valid.code, 1);
  const vlines = checkedLines(t, valid.stdout);
  t.like(vlines.find((l) => l.type === 'error'), { file: 'bad-param.hcl' });
  t.deepEqual(
    vlines.filter((l) => l.type === 'summary').map((l) => [l['file'], l['ok']]),
    [
      ['two.hcl', true],
      ['bad-param.hcl', false],
    ],
  );
});

test('plan -o json - a load error is an error line with its code, then a failed summary; exit 1', async (t) => {
  const dir = scratchDir(t, 'bad-param.hcl');
  const result = await runCli(['plan', ...LOCAL, '-o', 'json', 'bad-param.hcl'], dir);
  t.is(result.code, 1);
  const lines = checkedLines(t, result.stdout);
  t.regex(String(lines.find((l) => l.type === 'error')?.['message']), /bad-param\.hcl:\d+:\d+/);
  t.like(summaryOf(lines), { ok: false, nodes: 0 });
});

test('--output - an unknown format is a usage error', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const result = await runCli(['plan', ...LOCAL, '-o', 'yaml', 'two.hcl'], dir);
  t.is(result.code, 255);
  t.regex(result.stderr, /--output must be human or json/);
});
