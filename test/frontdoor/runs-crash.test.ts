/**
 * kill -9 in the middle of a run: a real server process with its store in a temp dir, a run that waits
 * on a file, SIGKILL once the run is in the store, then the store as the next server opens it.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { ConvergeClient } from '../../src/frontdoor/client.js';
import { RunStore } from '../../src/store/run-store.js';
import { scratchDir } from '../e2e/run-cli.js';
import { startServerProcess, waitFor } from './server-process.js';

const TOKEN = 'crash-test-token-long-enough';

test('kill -9 during a run: at the next start the run is interrupted, and the run before it is all there', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  fs.copyFileSync(path.resolve('test/fixtures/runs/gate.hcl'), path.join(dir, 'gate.hcl'));
  // The gate's shell outlives a killed server; the file lets it end.
  t.teardown(() => fs.writeFileSync(path.join(dir, 'release'), ''));
  const server = await startServerProcess(t, dir, ['--rpc-token', TOKEN, '--state-dir', '.state']);
  const c = new ConvergeClient({ address: server.address, token: TOKEN });
  t.teardown(() => c.close());

  let applyId = '';
  let applyEvents = 0;
  for await (const item of c.apply({ location: 'two.hcl' })) {
    if (item.type === 'start') applyId = item.runId;
    else if (item.type === 'node') applyEvents += 1;
  }

  const plan = c.plan({ location: 'gate.hcl' });
  let planId = '';
  let planEvents = 0;
  const iterator = plan[Symbol.asyncIterator]();
  // first (STARTED, FINISHED) and the gate's STARTED: the gate now blocks.
  while (planEvents < 3) {
    const { value, done } = await iterator.next();
    if (done === true) break;
    if (value.type === 'start') planId = value.runId;
    else if (value.type === 'node') planEvents += 1;
  }
  const reader = new Database(path.join(dir, '.state/runs.sqlite'), { readonly: true, fileMustExist: true });
  const storedEvents = (): number => (reader.prepare('SELECT COUNT(*) FROM events WHERE run_id = ?').pluck().get(planId) as number);
  await waitFor(() => storedEvents() === planEvents, 'the plan events to be committed');
  reader.close();
  server.child.kill('SIGKILL');
  t.is(await server.exited(), 'SIGKILL');
  plan.cancel();

  const store = RunStore.open({ dir: path.join(dir, '.state') });
  t.teardown(() => store.close());
  t.like(store.get(planId), { kind: 'plan', outcome: 'interrupted', errorCode: 'CNV_ERR_JOB_INTERRUPTED', events: planEvents });
  t.like(store.get(applyId), { kind: 'apply', outcome: 'ok', events: applyEvents });
  t.is(store.eventsFrom(applyId, 1, 1000).length, applyEvents);
  t.true(store.nodes(applyId).some((node) => node.id === 'root/task.copy' && node.hasChanges));
});
