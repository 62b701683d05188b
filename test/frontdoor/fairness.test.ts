import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Logger } from '../../src/frontdoor/logger.js';
import { client, serve, tempDir } from './helpers.js';
import { collect } from './streams.js';

const TOKEN = 'fair-token';

// Each large plan holds one node until the test creates `go`; the rest of its nodes wait behind it.
function largeModule(nodes: number): string {
  const blocks = ['task "gate" {\n  check = "while [ ! -f go ]; do sleep 0.3; done; exit 0"\n  apply = "true"\n}\n'];
  for (let i = 0; i < nodes; i += 1) {
    blocks.push(`file.content "f${i}" {\n  destination = "out/f${i}.txt"\n  content = "x"\n  depends = ["task.gate"]\n}\n`);
  }
  return blocks.join('\n');
}

const SMALL = 'file.content "only" {\n  destination = "out/only.txt"\n  content = "y"\n}\n';

test('a small plan submitted behind 50 large ones gets its first node event before any of them finishes', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'large.hcl'), largeModule(40));
  fs.writeFileSync(path.join(cwd, 'small.hcl'), SMALL);
  let started = 0;
  const logger: Logger = { log: (_level, msg) => void (msg === 'run started' && (started += 1)) };
  const server = await serve(t, { token: TOKEN, cwd, logger, workers: { threads: 2, maxRunningNodes: 64 } });
  const finishedLarge: number[] = [];
  const large = Array.from({ length: 50 }, (_, i) =>
    collect(client(t, server, { ownConnection: true }).plan({ location: 'large.hcl' })).then((result) => {
      finishedLarge.push(i);
      return result;
    }),
  );
  while (started < 50) await new Promise((resolve) => setTimeout(resolve, 20));
  let largeFinishedAtFirstEvent = -1;
  const small = collect(client(t, server).plan({ location: 'small.hcl' }), (type) => {
    if (type === 'node' && largeFinishedAtFirstEvent < 0) largeFinishedAtFirstEvent = finishedLarge.length;
  });
  const smallResult = await small;
  t.is(largeFinishedAtFirstEvent, 0, 'no large plan had finished when the small one got its first event');
  t.true(smallResult.events.length > 0);
  fs.writeFileSync(path.join(cwd, 'go'), '');
  const results = await Promise.all(large);
  t.is(results.length, 50);
  for (const result of results) t.is(result.events.filter((e) => e.run === 'FINISHED').length, 42);
});
