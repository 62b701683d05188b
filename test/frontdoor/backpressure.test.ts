import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { StreamItem } from '../../src/frontdoor/client.js';
import type { Logger } from '../../src/frontdoor/logger.js';
import { client, serve, tempDir } from './helpers.js';
import { checkOrder, collect } from './streams.js';

const NODES = 800;

test('a client that stops reading does not hold up its job or other clients, and later gets every event', async (t) => {
  const cwd = tempDir(t);
  const blocks = Array.from({ length: NODES }, (_v, i) => `file.content "f${i}" {\n  destination = "out/f${i}.txt"\n  content = "${i}"\n}\n`);
  fs.writeFileSync(path.join(cwd, 'many.hcl'), blocks.join('\n'));
  fs.writeFileSync(path.join(cwd, 'small.hcl'), 'file.content "one" {\n  destination = "one.txt"\n  content = "1"\n}\n');
  const finished: string[] = [];
  let onFinished: (() => void) | undefined;
  const logger: Logger = {
    log(_level, msg, fields = {}) {
      if (msg === 'run finished') {
        finished.push(String(fields['run']));
        onFinished?.();
      }
    },
  };
  const server = await serve(t, { token: 'bp', cwd, logger });
  const slow = client(t, server, { ownConnection: true });
  const stream = slow.plan({ location: 'many.hcl' });
  const iterator = stream[Symbol.asyncIterator]();
  let first = await iterator.next();
  // A load slower than 200 ms reports its progress first.
  while ((first.value as StreamItem).type === 'loading') first = await iterator.next();
  t.is((first.value as StreamItem).type, 'start');
  const slowRun = (first.value as Extract<StreamItem, { type: 'start' }>).runId;
  // The slow client now reads nothing. Its job must still finish...
  await new Promise<void>((resolve) => {
    onFinished = () => {
      if (finished.includes(slowRun)) resolve();
    };
    onFinished();
  });
  // ...and another client is served in full meanwhile.
  const other = await collect(client(t, server, { ownConnection: true }).plan({ location: 'small.hcl' }));
  t.is(checkOrder(other.events, other.seqs), undefined);
  // Resuming, the slow client receives every event of its run, in order.
  const events = [];
  const seqs = [];
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    const item = next.value;
    if (item.type === 'node') {
      events.push(item.event);
      seqs.push(item.seq);
    }
  }
  t.is(events.length, (NODES + 1) * 2);
  t.is(checkOrder(events, seqs), undefined);
});
