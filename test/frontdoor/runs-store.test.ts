import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { RunStore } from '../../src/store/run-store.js';
import { client, serve, tempDir } from './helpers.js';

const FIXTURES = path.resolve('test/fixtures/cli');

test('run store - an apply through a real server is in the store after the server stops, with its nodes and events', async (t) => {
  const dir = tempDir(t);
  fs.copyFileSync(path.join(FIXTURES, 'two.hcl'), path.join(dir, 'two.hcl'));
  const stateDir = path.join(dir, 'state');
  const server = await serve(t, { cwd: dir, token: 'secret-token-for-tests', store: { dir: stateDir } });
  const c = client(t, server);
  let runId = '';
  let events = 0;
  for await (const item of c.apply({ location: 'two.hcl', params: { message: 'hi' } })) {
    if (item.type === 'start') runId = item.runId;
    if (item.type === 'node') events += 1;
  }
  await server.close();

  const store = RunStore.open({ dir: stateDir });
  t.teardown(() => store.close());
  const run = store.get(runId);
  t.truthy(run);
  t.like(run, { kind: 'apply', location: 'two.hcl', outcome: 'ok', who: 'token', events, failed: 0 });
  t.is(run!.moduleSha256, createHash('sha256').update(fs.readFileSync(path.join(dir, 'two.hcl'))).digest('hex'));
  t.deepEqual(JSON.parse(run!.params), { message: 'hi' });
  t.regex(run!.peer, /127\.0\.0\.1/);
  t.true(run!.queuedAt <= run!.startedAt! && run!.startedAt! <= run!.finishedAt!);
  const nodes = store.nodes(runId);
  const greeting = nodes.find((n) => n.id === 'root/file.content.greeting');
  t.like(greeting, { status: 'changed', hasChanges: true, error: '' });
  t.truthy(nodes.find((n) => n.id === 'root/task.copy'));
  t.deepEqual(
    store.eventsFrom(runId, 1, 1000).map((e) => e.seq),
    Array.from({ length: events }, (_, i) => i + 1),
  );
});

test('run store - a store that cannot be opened stops the start-up with CNV_ERR_STORE_OPEN naming the file', async (t) => {
  const dir = tempDir(t);
  const notADir = path.join(dir, 'file');
  fs.writeFileSync(notADir, 'x');
  const error = await t.throwsAsync(serve(t, { noToken: true, store: { dir: notADir } }));
  t.like(error, { code: 'CNV_ERR_STORE_OPEN' });
  t.regex(error!.message, /runs\.sqlite/);
});
