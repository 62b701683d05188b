/**
 * `converge server` flags an operator tunes, checked on a real server process with a real client:
 * --parallelism is the server's own (a client's --parallelism does not travel over RPC).
 */
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { runCli, scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';

const TOKEN = 'server-flags-test-token';

/** Each check marks itself started, then waits up to 2 s for the other one to start too. */
const WAIT_FOR_OTHER = `touch "$1.started"
n=0
while [ ! -f "$2.started" ] && [ $n -lt 20 ]; do sleep 0.1; n=$((n+1)); done
if [ -f "$2.started" ]; then echo together > "$1.seen"; else echo alone > "$1.seen"; fi
`;

const MODULE = `task "a" {
  check = "sh wait.sh a b"
  apply = "true"
}

task "b" {
  check = "sh wait.sh b a"
  apply = "true"
}
`;

async function planWith(t: ExecutionContext, serverArgs: string[]): Promise<string[]> {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'wait.sh'), WAIT_FOR_OTHER);
  fs.writeFileSync(path.join(dir, 'm.hcl'), MODULE);
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--rpc-token', TOKEN, ...serverArgs]);
  const plan = await runCli(['plan', '--nocolor', '--rpc-addr', `127.0.0.1:${server.port}`, '--rpc-token', TOKEN, 'm.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  t.is(await server.stop(), 0);
  return ['a', 'b'].map((name) => fs.readFileSync(path.join(dir, `${name}.seen`), 'utf8').trim()).sort();
}

test('server --parallelism 1: the two checks of a remote plan run one after the other', async (t) => {
  t.deepEqual(await planWith(t, ['--parallelism', '1']), ['alone', 'together']);
});

test('server default parallelism: the two checks run side by side', async (t) => {
  t.deepEqual(await planWith(t, []), ['together', 'together']);
});
