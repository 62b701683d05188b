import net from 'node:net';
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { appears, prepare, runContext, tempDir } from '../helpers.js';

// Counts its runs in a file and passes from the third run on.
const COUNTING_CHECK = 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -ge 3 ]';

test('wait.query: the plan runs once, apply retries until the check passes', async (t) => {
  const dir = tempDir(t);
  const ctx = runContext(dir);
  const task = await prepare('wait.query', { check: COUNTING_CHECK, interval: '10ms', max_retry: 5 }, dir);
  const planned = await task.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.messages, ['Failed after 0 retries (0s)', 'Last attempt: check (returned: 1)\n\t\n\t']);
  const applied = await task.apply(ctx);
  t.is(applied.level, StatusLevel.NoChange);
  t.regex(applied.messages[0] ?? '', /^Passed after 2 retries \([\d.]+(ms|s)\)$/);
  t.is(applied.messages.length, 1);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test('wait.query: gives up after max_retry and shows the last attempt', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('wait.query', { check: 'echo nope; exit 1', interval: '1ms', grace_period: '1ms', max_retry: 2 }, dir);
  const applied = await task.apply(runContext(dir));
  t.is(applied.level, StatusLevel.WillChange);
  t.regex(applied.messages[0] ?? '', /^Failed after 2 retries \(.+\)$/);
  t.is(applied.messages[1], 'Last attempt: check 2 (returned: 1)\n\tnope\n\n\t');
});

test('wait.query: check is required', async (t) => {
  await t.throwsAsync(prepare('wait.query', {}, '/'), { message: '"check" is required' });
});

test('wait.query: an abort stops the waiting', async (t) => {
  const dir = tempDir(t);
  const controller = new AbortController();
  const task = await prepare('wait.query', { check: 'touch ran; exit 1', interval: '30s' }, dir);
  const applying = task.apply(runContext(dir, controller.signal));
  // The first try has run; the loop is now in (or entering) its 30 s interval.
  await appears(dir, 'ran');
  controller.abort();
  const error = await t.throwsAsync(applying, { instanceOf: ConvergeError });
  t.is((error as ConvergeError).code, 'CNV_ERR_JOB_CANCELLED');
});

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

test('wait.port: an open port has no changes; a closed one will change', async (t) => {
  const server = net.createServer((socket) => socket.destroy());
  t.teardown(() => server.close());
  const port = await listen(server);
  const open = await prepare('wait.port', { host: '127.0.0.1', port }, '/');
  t.is((await open.check(runContext('/'))).level, StatusLevel.NoChange);
  t.deepEqual(open.exported(), { host: '127.0.0.1', port });

  const closedServer = net.createServer();
  const closedPort = await listen(closedServer);
  await new Promise((resolve) => closedServer.close(resolve));
  const closed = await prepare('wait.port', { host: '127.0.0.1', port: `${closedPort}` }, '/');
  const status = await closed.check(runContext('/'));
  t.is(status.level, StatusLevel.WillChange);
  t.deepEqual(status.messages, [`127.0.0.1:${closedPort} is not accepting connections`]);
});

test('wait.port: apply retries until the port opens', async (t) => {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const server = net.createServer((socket) => socket.destroy());
  t.teardown(() => server.close());
  const task = await prepare('wait.port', { host: '127.0.0.1', port, interval: '20ms', max_retry: 50 }, '/');
  const ctx = {
    ...runContext('/'),
    progress: (message: string) => {
      if (message.startsWith('attempt 2 ')) void listen(server, port);
    },
  };
  const status = await task.apply(ctx);
  t.is(status.level, StatusLevel.NoChange);
  t.regex(status.messages[0] ?? '', /^Passed after \d+ retries/);
});

test('wait.port: port is required; host defaults to localhost', async (t) => {
  await t.throwsAsync(prepare('wait.port', {}, '/'), { message: '"port" is required' });
  const task = await prepare('wait.port', { port: 1 }, '/');
  t.deepEqual(task.exported(), { host: 'localhost', port: 1 });
});
