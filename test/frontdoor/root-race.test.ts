/**
 * The symlink-swap race against `--root`: while another process keeps swapping a directory and a
 * file inside the root for symlinks to the outside, thousands of reads (in-process and over gRPC)
 * must never return the outside file. Reading by resolving the path and then opening it again
 * leaked here (31 of about 2,000 reads in the original report).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ModuleRoot } from '../../src/frontdoor/modules.js';
import { client, serve, tempDir } from './helpers.js';

/** At least this long and this many reads, whichever takes longer (the machine may be busy). */
const RACE_MS = 3000;
const MIN_READS = 2000;
const INSIDE = 'param "where" { default = "inside" }\n';
const SECRET = 'outside secret\n';

// Swaps root/d (a directory) and root/f.hcl (a file) for symlinks to their twins outside the root,
// and back, as fast as it can until its stdin closes, then prints how many swaps it made.
const SWAPPER = `
const fs = require('node:fs'); const path = require('node:path');
const [root, outside] = process.argv.slice(1);
const d = path.join(root, 'd'), f = path.join(root, 'f.hcl');
let swaps = 0, stop = false;
process.stdin.on('end', () => (stop = true)).resume();
(function burst() {
  if (stop) return process.stdout.write(String(swaps));
  for (let i = 0; i < 50; i++, swaps++) {
    fs.renameSync(d, d + '.held'); fs.symlinkSync(path.join(outside, 'd'), d);
    fs.renameSync(f, f + '.held'); fs.symlinkSync('../outside/f.hcl', f);
    fs.unlinkSync(d); fs.renameSync(d + '.held', d);
    fs.unlinkSync(f); fs.renameSync(f + '.held', f);
  }
  setImmediate(burst);
})();
`;

function layout(t: import('ava').ExecutionContext): { root: string; outside: string } {
  const base = tempDir(t, 'converge-race-');
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  for (const dir of [path.join(root, 'd'), path.join(outside, 'd')]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(root, 'd', 'm.hcl'), INSIDE);
  fs.writeFileSync(path.join(root, 'f.hcl'), INSIDE);
  fs.writeFileSync(path.join(outside, 'd', 'm.hcl'), SECRET);
  fs.writeFileSync(path.join(outside, 'f.hcl'), SECRET);
  return { root, outside };
}

interface Tally {
  inside: number;
  leaked: number;
  refused: number;
}

async function readUntil(done: () => boolean, read: (location: string) => Promise<string>, tally: Tally): Promise<void> {
  let turn = 0;
  while (!done()) {
    const location = turn++ % 2 === 0 ? 'd/m.hcl' : 'f.hcl';
    try {
      const content = await read(location);
      if (content === SECRET) tally.leaked++;
      else if (content === INSIDE) tally.inside++;
    } catch {
      tally.refused++;
    }
  }
}

test('ModuleRoot.read() - a symlink-swap race never yields a file outside the root', async (t) => {
  t.timeout(90_000);
  const { root, outside } = layout(t);
  const server = await serve(t, { root });
  const modules = new ModuleRoot(root);
  const grpc = client(t, server);

  const swapper = spawn(process.execPath, ['-e', SWAPPER, root, outside], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => swapper.kill('SIGKILL'));
  let swaps = '';
  swapper.stdout.on('data', (chunk: Buffer) => (swaps += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => swapper.on('exit', resolve));

  const local: Tally = { inside: 0, leaked: 0, refused: 0 };
  const remote: Tally = { inside: 0, leaked: 0, refused: 0 };
  const count = (tally: Tally) => tally.inside + tally.leaked + tally.refused;
  const started = Date.now();
  const done = () => Date.now() - started >= RACE_MS && count(local) + count(remote) >= MIN_READS;
  await Promise.all([
    ...Array.from({ length: 6 }, () => readUntil(done, (l) => modules.read(l), local)),
    ...Array.from({ length: 2 }, () => readUntil(done, (l) => grpc.getModule(l), remote)),
  ]);
  swapper.stdin.end();
  t.is(await exited, 0);

  const reads = count(local) + count(remote);
  t.log(`swaps ${swaps} in ${Date.now() - started} ms; in-process ${JSON.stringify(local)}; gRPC ${JSON.stringify(remote)}; ${reads} reads`);
  t.true(Number(swaps) > 100, 'the swapper really swapped');
  t.true(local.inside > 0 && remote.inside > 0, 'reads between swaps still succeed');
  t.is(local.leaked + remote.leaked, 0);
});
