import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Logger } from '../../src/frontdoor/logger.js';
import { client, serve, tempDir } from './helpers.js';
import { collect, postStream } from './streams.js';

const TOKEN = 'queue-token';

// The task's apply waits for a file the test creates, so the test decides when the first apply ends.
const HOLD = `param "name" {}

task "hold" {
  check = "exit 1"
  apply = "while [ ! -f release ]; do sleep 0.05; done; echo {{param \`name\`}} >> order.log"
}
`;

// A plan that holds in its check, to fill the running slots.
const HOLD_PLAN = `task "wait" {
  check = "while [ ! -f release ]; do sleep 0.05; done; exit 0"
  apply = "true"
}
`;

/** A logger that lets a test wait for a message. */
function watchingLogger(): Logger & { next(msg: string): Promise<Record<string, unknown>> } {
  const waiters: Array<{ msg: string; resolve: (fields: Record<string, unknown>) => void }> = [];
  return {
    log(_level, msg, fields = {}) {
      for (const waiter of waiters.filter((w) => msg.includes(w.msg))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve({ ...fields });
      }
    },
    next(msg) {
      return new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

test('a second apply waits its turn and is told what it is queued behind', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'hold.hcl'), HOLD);
  const logger = watchingLogger();
  const server = await serve(t, { token: TOKEN, cwd, logger });
  const c = client(t, server);
  const firstStarted = logger.next('run started');
  const first = collect(c.apply({ location: 'hold.hcl', params: { name: 'first' } }));
  await firstStarted;
  let release!: () => void;
  const queuedSeen = new Promise<void>((resolve) => {
    release = resolve;
  });
  const second = collect(c.apply({ location: 'hold.hcl', params: { name: 'second' } }), (type) => {
    if (type === 'queued') release();
  });
  await queuedSeen;
  fs.writeFileSync(path.join(cwd, 'release'), '');
  const [a, b] = await Promise.all([first, second]);
  t.is(b.notices.length, 1);
  t.is(b.notices[0]!.behind, a.runId);
  t.regex(b.notices[0]!.text, /queued/);
  t.not(a.runId, b.runId);
  t.is(fs.readFileSync(path.join(cwd, 'order.log'), 'utf8'), 'first\nsecond\n');
  t.true(b.events.length > 0, 'the queued client still gets its own events');
});

test('full queue - RESOURCE_EXHAUSTED over gRPC and 503 over HTTP, at once', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'wait.hcl'), HOLD_PLAN);
  const logger = watchingLogger();
  const server = await serve(t, { token: TOKEN, cwd, logger, queue: { maxRunning: 1, maxWaiting: 0 } });
  const c = client(t, server);
  const started = logger.next('run started');
  const holding = collect(c.plan({ location: 'wait.hcl' }));
  await started;
  await t.throwsAsync(collect(c.plan({ location: 'wait.hcl' })), { code: 'CNV_ERR_QUEUE_FULL' });
  const overHttp = await postStream(server.port, '/api/v1/machine/plan', { location: 'wait.hcl' }, TOKEN);
  t.is(overHttp.status, 503);
  fs.writeFileSync(path.join(cwd, 'release'), '');
  await holding;
  await t.notThrowsAsync(collect(c.plan({ location: 'wait.hcl' })), 'the server serves again once a slot frees');
});

test('a client that disconnects mid-apply: the apply runs to completion and the outcome is logged', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'hold.hcl'), HOLD);
  const logger = watchingLogger();
  const server = await serve(t, { token: TOKEN, cwd, logger });
  const started = logger.next('run started');
  const finished = logger.next('run finished');
  const disconnected = logger.next('client disconnected');
  const stream = client(t, server).apply({ location: 'hold.hcl', params: { name: 'orphan' } });
  const reading = collect(stream).catch(() => undefined);
  await started;
  stream.cancel();
  await reading;
  await disconnected;
  fs.writeFileSync(path.join(cwd, 'release'), '');
  const outcome = await finished;
  t.is(outcome['clientConnected'], false);
  t.is(outcome['errors'], 0);
  t.is(fs.readFileSync(path.join(cwd, 'order.log'), 'utf8'), 'orphan\n');
});

test('50 concurrent clients each see exactly their own events', async (t) => {
  const cwd = tempDir(t);
  const module = `param "marker" {}

task "echo" {
  check = "echo marker-{{param \`marker\`}}-end; exit 1"
  apply = "true"
}
`;
  fs.writeFileSync(path.join(cwd, 'marker.hcl'), module);
  const server = await serve(t, { token: TOKEN, cwd, queue: { maxRunning: 16, maxWaiting: 64 } });
  const clients = Array.from({ length: 50 }, () => client(t, server, { ownConnection: true }));
  const results = await Promise.all(clients.map((c, i) => collect(c.plan({ location: 'marker.hcl', params: { marker: String(i) } }))));
  t.is(new Set(results.map((r) => r.runId)).size, 50);
  for (const [i, result] of results.entries()) {
    const text = result.events.flatMap((e) => e.details?.messages ?? []).join('\n');
    const markers = [...text.matchAll(/marker-(\d+)-end/g)].map((m) => m[1]);
    t.true(markers.length > 0, `client ${i} got its task output`);
    t.true(
      markers.every((m) => m === String(i)),
      `client ${i} saw only its own events`,
    );
    t.deepEqual(result.seqs, result.seqs.map((_s, k) => k + 1));
  }
});
