/**
 * reattaching() against a real server behind a loopback TCP proxy: a stream whose connection is cut
 * mid-run goes on through Runs.Watch with every seq once and in order; an error the server sent is
 * not retried.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConvergeClient } from '../../src/frontdoor/client.js';
import { reattaching } from '../../src/frontdoor/reattach.js';
import { serve, tempDir } from './helpers.js';
import { startTcpProxy } from './tcp-proxy.js';

const TOKEN = 'reattach-test-token-long-enough';

test('reattaching() - a cut mid-run is followed from the next seq: seqs 1..N once each, in order, start once', async (t) => {
  const dir = tempDir(t);
  fs.copyFileSync(path.resolve('test/fixtures/runs/gate.hcl'), path.join(dir, 'gate.hcl'));
  const release = (): void => fs.writeFileSync(path.join(dir, 'release'), '');
  t.teardown(release);
  const server = await serve(t, { cwd: dir, token: TOKEN });
  const proxy = await startTcpProxy(t, server.port);
  const c = new ConvergeClient({ address: `127.0.0.1:${proxy.port}`, token: TOKEN });
  t.teardown(() => c.close());
  const retries: { fromSeq: number; attempt: number; seen: number }[] = [];
  const seqs: number[] = [];
  const stream = reattaching(c, c.apply({ location: 'gate.hcl' }), {
    baseMs: 10,
    onRetry: ({ fromSeq, attempt }) => {
      retries.push({ fromSeq, attempt, seen: seqs.length });
      // The run stays blocked at the gate until the client is on its way back, so the rest is live.
      release();
    },
  });
  let starts = 0;
  let runId = '';
  for await (const item of stream) {
    if (item.type === 'start') {
      starts += 1;
      runId = item.runId;
    }
    if (item.type !== 'node') continue;
    seqs.push(item.seq);
    if (item.event.id === 'root/file.content.first' && item.event.run === 'FINISHED') proxy.cut();
  }
  t.is(starts, 1);
  t.is(retries.length, 1);
  t.like(retries[0], { attempt: 1, fromSeq: (retries[0]?.seen ?? 0) + 1 });
  t.true((retries[0]?.seen ?? 0) >= 2, 'cut after the first events');
  t.deepEqual(seqs, Array.from({ length: seqs.length }, (_v, i) => i + 1));
  const stored = await c.getRun(runId);
  t.is(stored.run?.events, seqs.length, 'every event the server numbered arrived');
  t.is(stored.run?.outcome, 'ok');
  t.true(proxy.accepted >= 2);
  t.true(fs.existsSync(path.join(dir, 'last.txt')));
});

test('reattaching() - a failure the server reports is passed on, not retried', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'broken.hcl'), 'task "x" {\n  check = \n');
  const server = await serve(t, { cwd: dir, token: TOKEN });
  const proxy = await startTcpProxy(t, server.port);
  const c = new ConvergeClient({ address: `127.0.0.1:${proxy.port}`, token: TOKEN });
  t.teardown(() => c.close());
  let retried = 0;
  const stream = reattaching(c, c.apply({ location: 'broken.hcl' }), { baseMs: 10, onRetry: () => (retried += 1) });
  const error = await t.throwsAsync(async () => {
    for await (const item of stream) void item;
  });
  t.is((error as { code?: unknown }).code, 'CNV_ERR_HCL_PARSE');
  t.is(retried, 0);
  t.is(proxy.accepted, 1);
});
