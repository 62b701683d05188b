import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Ajv } from 'ajv';
import { freePort, ROOT, runCli, scratchDir, spawnCli, waitForFile } from './run-cli.js';
import { startServerProcess } from './server-process.js';

const TOKEN = 'a-long-enough-test-token';
const validateLine = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/json-output.schema.json'), 'utf8')) as object);

async function serverIn(t: { teardown(fn: () => void): void }, dir: string): Promise<string[]> {
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--rpc-token', TOKEN]);
  return ['--rpc-addr', `127.0.0.1:${server.port}`, '--rpc-token', TOKEN, '--nocolor'];
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('runs - lists an apply made before, as a table and as JSON lines, and the filters select it or not', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const conn = await serverIn(t, dir);
  const apply = await runCli(['apply', ...conn, 'two.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);

  const table = await runCli(['runs', ...conn], dir);
  t.is(table.code, 0, table.stderr);
  const [head, row, ...more] = table.stdout.trimEnd().split('\n');
  t.regex(head ?? '', /^ID\s+KIND\s+OUTCOME\s+MODULE\s+WHO\s+STARTED\s+DURATION\s+NODES\/CHANGES\/ERRORS$/);
  t.regex(row ?? '', /^\d+-[0-9a-f]{8}\s+apply\s+ok\s+two\.hcl\s+token\s+\S+\s+\S+\s+4\/2\/0$/);
  t.deepEqual(more, []);

  const json = await runCli(['runs', ...conn, '-o', 'json'], dir);
  t.is(json.code, 0, json.stderr);
  const runs = jsonLines(json.stdout);
  t.is(runs.length, 1);
  t.like(runs[0], { type: 'run', kind: 'apply', outcome: 'ok', location: 'two.hcl', who: 'token', nodes: 4, changed: 2, failed: 0 });

  const plan = await runCli(['plan', ...conn, 'two.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  const ids = async (...filters: string[]): Promise<unknown[]> => {
    const result = await runCli(['runs', ...conn, '-o', 'json', ...filters], dir);
    t.is(result.code, 0, result.stderr);
    return jsonLines(result.stdout).map((r) => r['kind']);
  };
  t.deepEqual(await ids(), ['plan', 'apply'], 'newest first');
  t.deepEqual(await ids('--kind', 'apply'), ['apply']);
  t.deepEqual(await ids('--kind', 'plan', '--since', '24h'), ['plan']);
  t.deepEqual(await ids('--outcome', 'failed'), []);
  t.deepEqual(await ids('--module', 'no-such-module'), []);
  t.deepEqual(await ids('--limit', '1'), ['plan']);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  t.deepEqual(await ids('--since', future), []);

  const badKind = await runCli(['runs', ...conn, '--kind', 'nonsense'], dir);
  t.is(badKind.code, 1);
  t.regex(badKind.stderr, /kind/);
});

test('runs show - prints the run as the apply did and exits with its status; an unknown id is CNV_ERR_RUN_NOT_FOUND', async (t) => {
  const dir = scratchDir(t, 'two.hcl', 'failure.hcl');
  const conn = await serverIn(t, dir);
  const apply = await runCli(['apply', ...conn, 'two.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);
  const failed = await runCli(['apply', ...conn, 'failure.hcl'], dir);
  t.is(failed.code, 1);
  const listed = jsonLines((await runCli(['runs', ...conn, '-o', 'json'], dir)).stdout);
  const idOf = (location: string): string => String(listed.find((r) => r['location'] === location)?.['id']);

  const show = await runCli(['runs', 'show', idOf('two.hcl'), ...conn], dir);
  t.is(show.code, 0, show.stderr);
  t.true(apply.stdout.includes('root/task.copy:'));
  t.is(show.stdout, apply.stdout);

  const showFailed = await runCli(['runs', 'show', idOf('failure.hcl'), ...conn], dir);
  t.is(showFailed.code, 1, 'a run with a failed node shows as failed');
  t.is(showFailed.stdout, failed.stdout);

  const showJson = await runCli(['runs', 'show', idOf('two.hcl'), ...conn, '-o', 'json'], dir);
  t.is(showJson.code, 0, showJson.stderr);
  const lines = jsonLines(showJson.stdout);
  for (const line of lines) t.true(validateLine(line), JSON.stringify(validateLine.errors));
  t.like(lines[0], { type: 'version' });
  t.like(lines.at(-1), { type: 'summary', command: 'apply', file: 'two.hcl', ok: true, errors: 0, changes: 2 });

  const unknown = await runCli(['runs', 'show', '999-00000000', ...conn], dir);
  t.is(unknown.code, 1);
  t.is(unknown.stdout, '');
  t.regex(unknown.stderr, /code="?CNV_ERR_RUN_NOT_FOUND/);
  t.regex(unknown.stderr, /999-00000000/);
});

test('runs, runs show and attach refuse --local: an in-process server has no history', async (t) => {
  const dir = scratchDir(t);
  for (const args of [['runs'], ['runs', 'show', '1-00000000'], ['attach', '1-00000000']]) {
    const result = await runCli([...args, '--local'], dir);
    t.is(result.code, 255, args.join(' '));
    t.regex(result.stderr, /--local has none \(give --rpc-addr\)/);
  }
  const nobody = await runCli(['attach', '1-00000000', '--rpc-addr', `127.0.0.1:${await freePort()}`], dir);
  t.is(nobody.code, 1);
  t.regex(nobody.stderr, /CNV_ERR_SERVER_UNREACHABLE/);
  t.regex(nobody.stderr, /point --rpc-addr at one/, 'no advice to use the --local it refuses');
  const wrong = await runCli(['runs', 'list'], dir);
  t.is(wrong.code, 255);
  t.regex(wrong.stderr, /runs takes no arguments, or "show ID"/);
});

test('attach - follows a live apply to its end, printing its nodes, and exits 0; a finished run prints at once', async (t) => {
  const dir = scratchDir(t, 'slow-apply.hcl');
  t.teardown(() => fs.writeFileSync(path.join(dir, 'go.txt'), ''));
  const conn = await serverIn(t, dir);
  const applying = runCli(['apply', ...conn, 'slow-apply.hcl'], dir);
  await waitForFile(path.join(dir, 'started.txt'));
  const running = jsonLines((await runCli(['runs', ...conn, '-o', 'json', '--outcome', 'running'], dir)).stdout);
  t.is(running.length, 1, 'the apply is still running');
  const id = String(running[0]?.['id']);

  // The debug line comes when the watch has started; the task then waits for go.txt, so attach sees
  // the rest of the run live.
  const attaching = spawnCli(['attach', id, ...conn, '--log-level', 'debug'], dir);
  await attaching.stderrMatch(/msg="run started"/);
  fs.writeFileSync(path.join(dir, 'go.txt'), '');
  const [attach, apply] = await Promise.all([attaching.done, applying]);
  t.is(apply.code, 0, apply.stderr);
  t.is(attach.code, 0, attach.stderr);
  for (const node of ['root/file.content.first:', 'root/task.slow:', 'root/file.content.last:']) {
    t.is(attach.stdout.split(node).length - 1, 1, node);
  }
  t.is(attach.stdout, apply.stdout);
  t.true(fs.existsSync(path.join(dir, 'last.txt')));

  const again = await runCli(['attach', id, ...conn], dir);
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, apply.stdout);
});
