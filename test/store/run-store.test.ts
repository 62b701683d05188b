import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import type { NodeEvent } from '../../src/protocol.js';
import { RunStore } from '../../src/store/run-store.js';
import { defaultStateDir } from '../../src/store/state-dir.js';

function stateDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'state');
}

function open(t: ExecutionContext, dir: string, options: Partial<Parameters<typeof RunStore.open>[0]> = {}): RunStore {
  const store = RunStore.open({ dir, ...options });
  t.teardown(() => store.close());
  return store;
}

function event(id: string, run: 'STARTED' | 'FINISHED', changes = false, error = ''): NodeEvent {
  if (run === 'STARTED') return { id, stage: 'APPLY', run, pass: 0 };
  const diff = { original: 'a', current: 'b', changes };
  return { id, stage: 'APPLY', run, pass: 0, details: { messages: ['m'], changes: changes ? { content: diff } : {}, hasChanges: changes, error, warning: '' } };
}

function record(store: RunStore, id: string, queuedAt = Date.now()): void {
  store.queued({ id, kind: 'apply', location: 'm.hcl', moduleSha256: 'abc', params: '{"a":"1"}', who: 'token', peer: '127.0.0.1:1', queuedAt });
}

test('RunStore - a run written, closed and reopened keeps its fields, events and node results', (t) => {
  const dir = stateDir(t);
  const store = RunStore.open({ dir });
  const t0 = Date.now();
  record(store, 'r1', t0);
  store.started('r1', t0 + 100);
  store.events('r1', 1, [event('root/a', 'STARTED'), event('root/a', 'FINISHED', true)]);
  store.events('r1', 3, [event('root/b', 'STARTED'), event('root/b', 'FINISHED', false, 'boom')]);
  store.finished('r1', {
    outcome: 'failed',
    errorCode: '',
    errorMessage: '',
    finishedAt: t0 + 200,
    nodes: [
      { id: 'root/a', status: 'changed', hasChanges: true, changes: { content: { original: 'a', current: 'b', changes: true } }, messages: ['m'], error: '', warning: '' },
      { id: 'root/b', status: 'error', hasChanges: false, changes: {}, messages: [], error: 'boom', warning: '' },
    ],
  });
  store.close();
  t.is(fs.statSync(path.join(dir, 'runs.sqlite')).mode & 0o777, 0o600);
  t.is(fs.statSync(dir).mode & 0o777, 0o700);

  const again = open(t, dir);
  const run = again.get('r1')!;
  t.like(run, { kind: 'apply', location: 'm.hcl', moduleSha256: 'abc', who: 'token', peer: '127.0.0.1:1', queuedAt: t0, startedAt: t0 + 100, finishedAt: t0 + 200 });
  t.like(run, { outcome: 'failed', nodes: 2, changed: 1, failed: 1, events: 4 });
  t.deepEqual(JSON.parse(run.params), { a: '1' });
  t.deepEqual(
    again.nodes('r1').map((n) => [n.id, n.status, n.error]),
    [
      ['root/a', 'changed', ''],
      ['root/b', 'error', 'boom'],
    ],
  );
  t.deepEqual(again.nodes('r1')[0]!.changes, { content: { original: 'a', current: 'b', changes: true } });
  t.deepEqual(
    again.eventsFrom('r1', 2, 10).map((e) => [e.seq, e.event.id, e.event.run]),
    [
      [2, 'root/a', 'FINISHED'],
      [3, 'root/b', 'STARTED'],
      [4, 'root/b', 'FINISHED'],
    ],
  );
  const db = new Database(path.join(dir, 'runs.sqlite'), { readonly: true });
  t.teardown(() => db.close());
  t.is(db.pragma('journal_mode', { simple: true }), 'wal');
});

test('RunStore - writes are batched: nothing is committed before the flush interval, then all in one go', async (t) => {
  const dir = stateDir(t);
  const store = open(t, dir, { flushIntervalMs: 200, flushEvents: 1_000_000 });
  record(store, 'r1');
  store.events('r1', 1, [event('root/a', 'STARTED')]);
  const reader = new Database(path.join(dir, 'runs.sqlite'), { readonly: true });
  t.teardown(() => reader.close());
  const count = (): number => reader.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
  t.is(count(), 0);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.is(count(), 1);
});

test('RunStore - a batch that reaches flushEvents is committed without waiting for the interval', async (t) => {
  const dir = stateDir(t);
  const store = open(t, dir, { flushIntervalMs: 60_000, flushEvents: 10 });
  record(store, 'r1');
  store.events('r1', 1, Array.from({ length: 10 }, (_, i) => event(`root/n${i}`, 'STARTED')));
  await new Promise((resolve) => setImmediate(resolve));
  const reader = new Database(path.join(dir, 'runs.sqlite'), { readonly: true });
  t.teardown(() => reader.close());
  t.is(reader.prepare('SELECT COUNT(*) FROM events').pluck().get(), 10);
});

test('RunStore - a run left open by a server that is gone is marked interrupted at the next open; finished runs are untouched', (t) => {
  const dir = stateDir(t);
  const crashed = RunStore.open({ dir });
  record(crashed, 'done');
  crashed.finished('done', { outcome: 'ok', errorCode: '', errorMessage: '', finishedAt: Date.now(), nodes: [] });
  record(crashed, 'live');
  crashed.started('live', Date.now());
  crashed.events('live', 1, [event('root/a', 'STARTED')]);
  crashed.flush();
  // No close(): the next open sees what a killed process leaves (the same pid, another instance).
  const next = open(t, dir);
  t.like(next.get('live'), { outcome: 'interrupted', errorCode: 'CNV_ERR_JOB_INTERRUPTED', events: 1 });
  t.not(next.get('live')!.finishedAt, null);
  t.like(next.get('done'), { outcome: 'ok' });
  crashed.close();
});

test('RunStore.list() - newest first, filters combine, pages follow nextPageToken to the end', (t) => {
  const store = open(t, stateDir(t));
  for (let i = 1; i <= 7; i += 1) {
    store.queued({ id: `r${i}`, kind: i % 2 === 0 ? 'plan' : 'apply', location: i < 4 ? 'web.hcl' : 'db.hcl', moduleSha256: '', params: '{}', who: 'a', peer: '', queuedAt: i * 1000 });
  }
  t.deepEqual(store.list().runs.map((r) => r.id), ['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
  t.deepEqual(store.list({ kind: 'plan' }).runs.map((r) => r.id), ['r6', 'r4', 'r2']);
  t.deepEqual(store.list({ kind: 'apply', module: 'web' }).runs.map((r) => r.id), ['r3', 'r1']);
  t.deepEqual(store.list({ sinceMs: 5000 }).runs.map((r) => r.id), ['r7', 'r6', 'r5']);
  t.deepEqual(store.list({ outcome: 'queued', limit: 1 }).runs.map((r) => r.id), ['r7']);
  const seen: string[] = [];
  let token = '';
  do {
    const page = store.list({ limit: 3, pageToken: token });
    seen.push(...page.runs.map((r) => r.id));
    token = page.nextPageToken;
  } while (token !== '');
  t.deepEqual(seen, ['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
});

test('RunStore.prune() - drops finished runs past the age, then the oldest past the size; open runs stay', (t) => {
  const store = open(t, stateDir(t), { maxAgeMs: 10_000, maxBytes: 1000 });
  const now = Date.now();
  const finish = (id: string): void => store.finished(id, { outcome: 'ok', errorCode: '', errorMessage: '', finishedAt: now, nodes: [] });
  record(store, 'old', now - 60_000);
  finish('old');
  record(store, 'open-old', now - 60_000);
  for (const id of ['big1', 'big2', 'small']) {
    record(store, id, now);
    const count = id === 'small' ? 1 : 5;
    store.events(id, 1, Array.from({ length: count }, (_, i) => event(`root/${'x'.repeat(40)}${i}`, 'FINISHED', true)));
    finish(id);
  }
  t.is(store.prune(now), 3);
  t.deepEqual(store.list().runs.map((r) => r.id).sort(), ['open-old', 'small']);
  t.deepEqual(store.eventsFrom('big1', 1, 10), []);
});

test('defaultStateDir() - /var/lib/converge as root, XDG_STATE_HOME otherwise, ~/.local/state without it', (t) => {
  t.is(defaultStateDir({}, 0), '/var/lib/converge');
  t.is(defaultStateDir({ XDG_STATE_HOME: '/x/state' }, 1000), '/x/state/converge');
  t.is(defaultStateDir({ XDG_STATE_HOME: 'relative' }, 1000), path.join(os.homedir(), '.local/state/converge'));
  t.is(defaultStateDir({}, 1000), path.join(os.homedir(), '.local/state/converge'));
});
