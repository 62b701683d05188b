import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Ajv } from 'ajv';
import { ROOT, LOCAL, runCli, scratchDir } from './run-cli.js';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/json-output.schema.json'), 'utf8')) as object;
const validateLine = new Ajv({ strict: true }).compile(schema);

/** A scratch dir with the saved-plan fixtures and its own state dir (so its own plan key). */
function setUp(t: ExecutionContext): { dir: string; env: Record<string, string> } {
  const dir = scratchDir(t, 'saved.hcl', 'saved-include.hcl');
  return { dir, env: { XDG_STATE_HOME: path.join(dir, 'state') } };
}

const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

async function planOut(t: ExecutionContext, dir: string, env: Record<string, string>, ...extra: string[]): Promise<void> {
  const plan = await runCli(['plan', ...LOCAL, '-out', 'plan.cvg', '-p', 'suffix=reviewed', ...extra, 'saved.hcl'], dir, env);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /\nSummary: 0 errors, 4 changes\n$/);
  t.is(fs.statSync(path.join(dir, 'plan.cvg')).mode & 0o777, 0o600);
}

test('plan -out, apply plan.cvg - applies exactly the reviewed module, include and params', async (t) => {
  const { dir, env } = setUp(t);
  await planOut(t, dir, env);
  // Edits after the review must not reach the machine: the plan carries the texts it planned from.
  fs.writeFileSync(path.join(dir, 'saved.hcl'), 'file.content "other" {\n  destination = "other.txt"\n}\n');
  fs.writeFileSync(path.join(dir, 'saved-include.hcl'), 'param "suffix" {}\n');
  const apply = await runCli(['apply', ...LOCAL, 'plan.cvg'], dir, env);
  t.is(apply.code, 0, apply.stderr + apply.stdout);
  t.is(read(dir, 'a.txt'), 'a reviewed');
  t.is(read(dir, 'b.txt'), 'b reviewed');
  t.is(read(dir, 'c.txt'), 'c reviewed');
  t.true(fs.existsSync(path.join(dir, 'after-a.txt')));
  t.false(fs.existsSync(path.join(dir, 'other.txt')));
  t.regex(apply.stdout, /\nSummary: 0 errors, 4 changes\n$/);
});

test('apply plan.cvg - a hand-edited managed file is drifted and left alone; its dependent fails, the others apply', async (t) => {
  const { dir, env } = setUp(t);
  await planOut(t, dir, env);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'edited by hand');
  const apply = await runCli(['apply', ...LOCAL, '-o', 'json', 'plan.cvg'], dir, env);
  t.is(apply.code, 1);
  const lines = apply.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const line of lines) t.true(validateLine(line), JSON.stringify(validateLine.errors));
  const finished = (id: string) => lines.find((l) => l['id'] === id && l['phase'] === 'finished')!;
  t.is(finished('root/file.content.a')['status'], 'drifted');
  t.regex(String(finished('root/file.content.a')['error']), /^drifted since plan: a\.txt: was "<file-missing>" at plan time, now "edited by hand"$/);
  t.is(finished('root/task.after-a')['status'], 'dependency-error');
  t.is(finished('root/file.content.b')['status'], 'applied');
  t.is(finished('root/module.inc/file.content.c')['status'], 'applied');
  t.like(lines.at(-1), { type: 'summary', drifted: ['root/file.content.a'], errors: 1, changes: 2, dependencyErrors: 1 });
  t.is(read(dir, 'a.txt'), 'edited by hand');
  t.is(read(dir, 'b.txt'), 'b reviewed');
  t.false(fs.existsSync(path.join(dir, 'after-a.txt')));
});

test('apply plan.cvg - an edited file, another server\'s plan and an expired plan are refused whole, each naming its reason', async (t) => {
  const { dir, env } = setUp(t);
  await planOut(t, dir, env);
  const original = read(dir, 'plan.cvg');

  fs.writeFileSync(path.join(dir, 'edited.cvg'), original.replace('"b reviewed"', '"b tampered"'));
  const edited = await runCli(['apply', ...LOCAL, 'edited.cvg'], dir, env);
  t.is(edited.code, 1);
  t.regex(edited.stderr, /code="CNV_ERR_PLAN_SIGNATURE"[^\n]*changed after the server signed it/);

  const other = await runCli(['apply', ...LOCAL, 'plan.cvg'], dir, { XDG_STATE_HOME: path.join(dir, 'other-state') });
  t.is(other.code, 1);
  t.regex(other.stderr, /code="CNV_ERR_PLAN_WRONG_SERVER"[^\n]*made by another server/);

  const expired = await runCli(['apply', ...LOCAL, '--plan-max-age', '1ms', '-o', 'json', 'plan.cvg'], dir, env);
  t.is(expired.code, 1);
  t.like(JSON.parse(expired.stdout.split('\n')[1]!), { type: 'error', code: 'CNV_ERR_PLAN_EXPIRED' });
  t.regex(expired.stdout, /past this server's --plan-max-age of 1ms/);

  t.false(fs.existsSync(path.join(dir, 'a.txt')), 'nothing was applied');
  t.false(fs.existsSync(path.join(dir, 'b.txt')));
});

test('plan -out - a plan with errors writes no file and exits 1; -p cannot change a saved plan', async (t) => {
  const { dir, env } = setUp(t);
  fs.mkdirSync(path.join(dir, 'b.txt'));
  const plan = await runCli(['plan', ...LOCAL, '-out', 'plan.cvg', 'saved.hcl'], dir, env);
  t.is(plan.code, 1);
  t.regex(plan.stderr, /CNV_ERR_PLAN_NOT_SAVED/);
  t.false(fs.existsSync(path.join(dir, 'plan.cvg')));

  fs.rmdirSync(path.join(dir, 'b.txt'));
  await planOut(t, dir, env);
  const withParams = await runCli(['apply', ...LOCAL, '-p', 'suffix=other', 'plan.cvg'], dir, env);
  t.is(withParams.code, 255);
  t.regex(withParams.stderr, /carries its own params/);
});

test('show plan.cvg - the human report of the plan, and JSON lines that validate', async (t) => {
  const { dir, env } = setUp(t);
  await planOut(t, dir, env);
  const human = await runCli(['show', '--nocolor', 'plan.cvg'], dir, env);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /^Saved plan of .*saved\.hcl \(run [^)]+\), made \d{4}-/);
  t.regex(human.stdout, /Params: suffix=reviewed\n/);
  t.regex(human.stdout, /\n {2}a\.txt: "<file-missing>" => "a reviewed"\n/);
  t.regex(human.stdout, /\nSummary: 0 errors, 4 changes\n$/);

  const json = await runCli(['show', '-o', 'json', 'plan.cvg'], dir, env);
  t.is(json.code, 0, json.stderr);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const line of lines) t.true(validateLine(line), JSON.stringify(validateLine.errors));
  t.like(lines[1], { type: 'plan', params: { suffix: 'reviewed' } });
  t.is((lines[1]!['modules'] as string[]).length, 2);
  t.like(lines.at(-1), { type: 'summary', command: 'plan', changes: 4, errors: 0 });
});
