import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { runCli, scratchDir, spawnCli, waitForFile } from './run-cli.js';
import { startServerProcess } from './server-process.js';
import { startTcpProxy } from '../frontdoor/tcp-proxy.js';

const TOKEN = 'a-long-enough-test-token';
const REATTACHING = /connection to the server lost; reattaching to the run/g;

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('apply - a connection cut mid-run is reattached: every node event once, the run\'s status, a warning on stderr', async (t) => {
  const dir = scratchDir(t, 'slow-apply.hcl');
  t.teardown(() => fs.writeFileSync(path.join(dir, 'go.txt'), ''));
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--rpc-token', TOKEN]);
  const proxy = await startTcpProxy(t, server.port);
  const conn = ['--rpc-addr', `127.0.0.1:${proxy.port}`, '--rpc-token', TOKEN, '--nocolor'];
  const applying = spawnCli(['apply', ...conn, '-o', 'json', 'slow-apply.hcl'], dir);
  // started.txt: the first node has finished and its events are out; the task now waits for go.txt.
  await waitForFile(path.join(dir, 'started.txt'));
  proxy.cut();
  await applying.stderrMatch(REATTACHING);
  fs.writeFileSync(path.join(dir, 'go.txt'), '');
  const apply = await applying.done;
  t.log(apply.stderr.trim());
  t.is(apply.code, 0, apply.stderr);
  t.true(proxy.accepted >= 2, 'the client connected again');
  const lines = jsonLines(apply.stdout);
  const nodeLines = lines.filter((l) => l['type'] === 'node');
  const keys = nodeLines.map((l) => `${String(l['id'])} ${String(l['phase'])} ${String(l['pass'])}`);
  t.deepEqual([...new Set(keys)], keys, 'no event twice');
  for (const id of ['root/file.content.first', 'root/task.slow', 'root/file.content.last']) {
    t.true(keys.includes(`${id} finished 0`), id);
  }
  // Finished lines follow the graph's order: nothing after a node finishes before the node itself.
  const finished = nodeLines.filter((l) => l['phase'] === 'finished').map((l) => l['id']);
  t.true(finished.indexOf('root/file.content.first') < finished.indexOf('root/task.slow'));
  t.true(finished.indexOf('root/task.slow') < finished.indexOf('root/file.content.last'));
  t.is(lines.filter((l) => l['type'] === 'started').length, 1, 'started once');
  t.like(lines.at(-1), { type: 'summary', command: 'apply', ok: true, errors: 0 });
  t.true(fs.existsSync(path.join(dir, 'last.txt')));

  // The human report of the same run, read back, has each node once: the stream was whole.
  const show = await runCli(['runs', 'show', String(lines.find((l) => l['type'] === 'started')?.['run']), ...conn], dir);
  t.is(show.code, 0, show.stderr);
  for (const node of ['root/file.content.first:', 'root/task.slow:', 'root/file.content.last:']) {
    t.is(show.stdout.split(node).length - 1, 1, node);
  }
});

test('apply - when the server is gone for good, reattaching gives up after its bounded tries with CNV_ERR_SERVER_UNREACHABLE', async (t) => {
  const dir = scratchDir(t, 'slow-apply.hcl');
  t.teardown(() => fs.writeFileSync(path.join(dir, 'go.txt'), ''));
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--rpc-token', TOKEN]);
  const proxy = await startTcpProxy(t, server.port);
  const conn = ['--rpc-addr', `127.0.0.1:${proxy.port}`, '--rpc-token', TOKEN, '--nocolor'];
  const applying = spawnCli(['apply', ...conn, 'slow-apply.hcl'], dir);
  await waitForFile(path.join(dir, 'started.txt'));
  const cutAt = Date.now();
  await proxy.refuse();
  const apply = await applying.done;
  t.log(`gave up ${Date.now() - cutAt} ms after the cut`);
  t.is(apply.code, 1);
  t.is(apply.stderr.match(REATTACHING)?.length, 5, apply.stderr);
  t.regex(apply.stderr, /code="?CNV_ERR_SERVER_UNREACHABLE/);
  t.regex(apply.stderr, /could not reattach in 5 tries/);
  t.is(proxy.accepted, 1);
});
