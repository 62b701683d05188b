/**
 * The Runs API against a real server with its store in a temp dir: reattaching to a live apply from a
 * seq (gRPC and HTTP, NDJSON and SSE), List and Get with filters, the same auth as every call, and a
 * restarted server that replays a run from its store.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConvergeClient, type StreamItem } from '../../src/frontdoor/client.js';
import { mintToken } from '../../src/jwt.js';
import { client, request, serve, tempDir } from './helpers.js';

const TOKEN = 'runs-api-test-token-long-enough';

function moduleDir(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t);
  fs.copyFileSync(path.resolve('test/fixtures/runs/gate.hcl'), path.join(dir, 'gate.hcl'));
  fs.copyFileSync(path.resolve('test/fixtures/cli/two.hcl'), path.join(dir, 'two.hcl'));
  // Whatever happens, the gate's shell ends with the test.
  t.teardown(() => fs.writeFileSync(path.join(dir, 'release'), ''));
  return dir;
}

async function auth(): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await mintToken(TOKEN)}` };
}

/** Starts an apply of gate.hcl, reads its first `count` node events, then disconnects (the apply goes on). */
async function applyThenDisconnect(c: ConvergeClient, count: number): Promise<{ runId: string; seqs: number[] }> {
  const stream = c.apply({ location: 'gate.hcl' });
  const iterator = stream[Symbol.asyncIterator]();
  let runId = '';
  const seqs: number[] = [];
  while (seqs.length < count) {
    const { value, done } = await iterator.next();
    if (done === true) throw new Error('the apply ended before the gate');
    if (value.type === 'start') runId = value.runId;
    else if (value.type === 'node') seqs.push(value.seq);
  }
  stream.cancel();
  return { runId, seqs };
}

async function seqsOf(items: AsyncIterable<StreamItem>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const item of items) if (item.type === 'node') seqs.push(item.seq);
  return seqs;
}

test('Runs.Watch - a client that disconnects mid-apply reattaches from seq N and gets every later event once, in order', async (t) => {
  const dir = moduleDir(t);
  const server = await serve(t, { cwd: dir, token: TOKEN, store: { dir: path.join(dir, 'state') } });
  const first = client(t, server, { ownConnection: true });
  const { runId, seqs: before } = await applyThenDisconnect(first, 3);
  t.deepEqual(before, [1, 2, 3]);

  const again = client(t, server, { ownConnection: true });
  const watching = seqsOf(again.watch(runId, before.length + 1));
  // The gate opens a moment after the watch call, so the watcher most likely follows live events (each seq
  // once either way: that does not depend on the timing).
  await new Promise((resolve) => setTimeout(resolve, 200));
  fs.writeFileSync(path.join(dir, 'release'), '');
  const after = await watching;
  const all = [...before, ...after];
  t.deepEqual(all, Array.from({ length: all.length }, (_, i) => i + 1));
  t.true(after.length >= 3, `later events: ${after.join(',')}`);
  // The run as a whole, read again from the start, is the same sequence.
  t.deepEqual(await seqsOf(again.watch(runId, 1)), all);
  const detail = await again.getRun(runId);
  t.like(detail.run, { id: runId, kind: 'apply', outcome: 'ok', who: 'token', events: all.length });
  t.true(detail.nodes.some((n) => n.id === 'root/task.gate' && n.hasChanges));
});

test('Runs over HTTP - events?from=N as NDJSON and as SSE (Last-Event-ID resumes), list with filters, get, 404 and 401', async (t) => {
  const dir = moduleDir(t);
  fs.writeFileSync(path.join(dir, 'release'), '');
  const server = await serve(t, { cwd: dir, token: TOKEN, store: { dir: path.join(dir, 'state') } });
  const c = client(t, server);
  const plan = c.plan({ location: 'two.hcl' });
  let planId = '';
  for await (const item of plan) if (item.type === 'start') planId = item.runId;
  const applied = await seqsOf(c.apply({ location: 'two.hcl' }));

  const list = await request(server, 'GET', '/api/v1/runs?kind=plan&since=1h', { headers: await auth() });
  t.is(list.status, 200);
  const body = JSON.parse(list.body) as { runs: { id: string; kind: string; outcome: string }[]; nextPageToken: string };
  t.deepEqual(body.runs.map((r) => [r.id, r.kind, r.outcome]), [[planId, 'plan', 'ok']]);
  const all = JSON.parse((await request(server, 'GET', '/api/v1/runs?page_size=1', { headers: await auth() })).body) as typeof body;
  t.is(all.runs.length, 1);
  t.not(all.nextPageToken, '');
  const applyId = all.runs[0]!.id;

  const detail = await request(server, 'GET', `/api/v1/runs/${applyId}`, { headers: await auth() });
  t.is(detail.status, 200);
  t.like(JSON.parse(detail.body), { run: { id: applyId, kind: 'apply', location: 'two.hcl' } });

  const ndjson = await request(server, 'GET', `/api/v1/runs/${applyId}/events?from=2`, { headers: await auth() });
  t.is(ndjson.status, 200);
  t.is(ndjson.headers['grpc-metadata-run-id'], applyId);
  const lines = ndjson.body.trim().split('\n').map((line) => JSON.parse(line) as { result: { seq: number } });
  t.deepEqual(lines.map((l) => l.result.seq), applied.slice(1));

  const sse = await request(server, 'GET', `/api/v1/runs/${applyId}/events`, { headers: { ...(await auth()), Accept: 'text/event-stream', 'Last-Event-ID': '3' } });
  t.regex(String(sse.headers['content-type']), /^text\/event-stream/);
  const ids = [...sse.body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  t.deepEqual(ids, applied.slice(3));
  t.regex(sse.body, /event: end\ndata: \{\}\n\n$/);

  const missing = await request(server, 'GET', '/api/v1/runs/no-such-run', { headers: await auth() });
  t.is(missing.status, 404);
  t.is((await request(server, 'GET', '/api/v1/runs/no-such-run/events', { headers: await auth() })).status, 404);
  t.is((await request(server, 'GET', '/api/v1/runs?kind=deploy', { headers: await auth() })).status, 400);
  t.is((await request(server, 'GET', '/api/v1/runs')).status, 401);
  t.is((await request(server, 'GET', `/api/v1/runs/${applyId}/events`)).status, 401);
  const anonymous = new ConvergeClient({ address: `127.0.0.1:${server.port}` });
  t.teardown(() => anonymous.close());
  await t.throwsAsync(anonymous.listRuns({}), { code: 'CNV_ERR_AUTH_MISSING' });
  await t.throwsAsync(c.getRun('no-such-run'), { code: 'CNV_ERR_RUN_NOT_FOUND' });
});

test('Runs after a restart - the next server lists the run, returns its nodes and replays its events from the store', async (t) => {
  const dir = moduleDir(t);
  const state = path.join(dir, 'state');
  const one = await serve(t, { cwd: dir, token: TOKEN, store: { dir: state } });
  const c1 = client(t, one);
  let runId = '';
  const seqs: number[] = [];
  for await (const item of c1.apply({ location: 'two.hcl' })) {
    if (item.type === 'start') runId = item.runId;
    else if (item.type === 'node') seqs.push(item.seq);
  }
  await one.close();
  const two = await serve(t, { cwd: dir, token: TOKEN, store: { dir: state } });
  const c2 = client(t, two);
  const listed = await c2.listRuns({ kind: 'apply' });
  t.deepEqual(listed.runs.map((r) => r.id), [runId]);
  const detail = await c2.getRun(runId);
  t.like(detail.nodes.find((n) => n.id === 'root/file.content.greeting'), { status: 'changed', hasChanges: true });
  t.deepEqual(await seqsOf(c2.watch(runId, 3)), seqs.slice(2));
});
