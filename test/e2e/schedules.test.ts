import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import test from 'ava';
import { runCli, scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';
import { metricsAddress, scrape } from './prom-text.js';

/** Scrapes until `ready` holds for the samples, for at most `limitMs` (the test fails past it). */
async function scrapeUntil(url: string, ready: (samples: Map<string, number>) => boolean, limitMs = 30_000): Promise<Map<string, number>> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const samples = await scrape(url);
    if (ready(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`metrics did not reach the expected state in ${limitMs} ms:\n${[...samples].filter(([k]) => k.startsWith('converge_')).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function fileContent(name: string, destination: string, content: string): string {
  return `file.content "${name}" {\n  destination = "${destination}"\n  content     = "${content}"\n}\n`;
}

test('server --schedule - plans set the drift gauge 0 -> 1 when a file changes by hand; an apply schedule restores its file; runs are stored as who = schedule', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'watched.hcl'), fileContent('watched', 'watched.txt', 'as planned'));
  fs.writeFileSync(path.join(dir, 'watched.txt'), 'as planned');
  fs.writeFileSync(path.join(dir, 'kept.hcl'), fileContent('kept', 'kept.txt', 'kept'));
  fs.writeFileSync(
    path.join(dir, 'schedules'),
    '# applied every 200ms: the file is put back whenever it changes\napply kept.hcl every 200ms\n\n',
  );
  const server = await startServerProcess(t, dir, [
    '--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--no-token', '--metrics-addr', '127.0.0.1:0',
    '--schedule', 'plan watched.hcl every 200ms',
    '--schedule-file', 'schedules',
  ]);
  const url = `http://${metricsAddress(server.stderr())}/metrics`;
  const started = Date.now();

  // At least two plans, all finding nothing to change; the apply schedule has written its file.
  const clean = await scrapeUntil(url, (s) => (s.get('converge_runs_total{kind="plan",outcome="ok"}') ?? 0) >= 2 && (s.get('converge_runs_total{kind="apply",outcome="ok"}') ?? 0) >= 1);
  t.is(clean.get('converge_drift{module="watched.hcl"}'), 0);
  t.is(clean.get('converge_drift{module="kept.hcl"}'), 0);
  t.is(fs.readFileSync(path.join(dir, 'kept.txt'), 'utf8'), 'kept');
  t.log(`two plans and an apply seen after ${Date.now() - started} ms`);

  // A hand edit: the next plan reports drift; the apply schedule puts its file back.
  fs.writeFileSync(path.join(dir, 'watched.txt'), 'edited by hand');
  fs.writeFileSync(path.join(dir, 'kept.txt'), 'edited by hand');
  const applies = clean.get('converge_runs_total{kind="apply",outcome="ok"}')!;
  const drifted = await scrapeUntil(url, (s) => s.get('converge_drift{module="watched.hcl"}') === 1 && s.get('converge_runs_total{kind="apply",outcome="ok"}')! > applies + 1);
  t.is(drifted.get('converge_drift{module="watched.hcl"}'), 1);
  t.is(fs.readFileSync(path.join(dir, 'kept.txt'), 'utf8'), 'kept');
  // A schedule's plan never changes anything.
  t.is(fs.readFileSync(path.join(dir, 'watched.txt'), 'utf8'), 'edited by hand');

  t.is(await server.stop(), 0);
  const store = new Database(path.join(dir, '.state', 'runs.sqlite'), { readonly: true });
  t.teardown(() => store.close());
  const rows = store.prepare('SELECT kind, location, who, outcome FROM runs ORDER BY rowid').all() as Array<{ kind: string; location: string; who: string; outcome: string }>;
  const plans = rows.filter((row) => row.kind === 'plan');
  t.true(plans.length >= 3, JSON.stringify(rows));
  t.true(rows.some((row) => row.kind === 'apply' && row.location === 'kept.hcl'));
  t.true(rows.every((row) => row.who === 'schedule'), JSON.stringify(rows));
  t.log(`${rows.length} scheduled runs stored`);
});

test('server --schedule - a run longer than its interval is not overlapped: ticks are skipped and counted', async (t) => {
  const dir = scratchDir(t, 'slow.hcl');
  const server = await startServerProcess(t, dir, [
    '--rpc-addr', '127.0.0.1:0', '--no-store', '--no-token', '--metrics-addr', '127.0.0.1:0',
    '--schedule', 'plan slow.hcl every 200ms', '--schedule-at-start',
  ]);
  const url = `http://${metricsAddress(server.stderr())}/metrics`;
  // slow.hcl's check sleeps 2 s: about nine ticks find the first plan still going.
  const samples = await scrapeUntil(url, (s) => (s.get('converge_runs_total{kind="plan",outcome="ok"}') ?? 0) >= 1 && (s.get('converge_schedule_skipped_total{schedule="plan slow.hcl every 200ms"}') ?? 0) >= 2);
  // Never two at once: at most the one running now besides those finished.
  t.true((samples.get('converge_jobs_running') ?? 0) <= 1);
  t.log(`skipped ${samples.get('converge_schedule_skipped_total{schedule="plan slow.hcl every 200ms"}')} ticks`);
  t.is(await server.stop(), 0);
});

test('server --schedule - bad schedules stop the start naming the flag or FILE:LINE and the reason', async (t) => {
  const dir = scratchDir(t);
  const flag = await runCli(['server', '--rpc-addr', '127.0.0.1:0', '--no-store', '--schedule', 'plan m.hcl every fortnight'], dir);
  t.is(flag.code, 1);
  // logfmt escapes the quotes of the message.
  t.regex(flag.stderr, /--schedule: bad interval \\"fortnight\\"/);
  t.regex(flag.stderr, /CNV_ERR_SCHEDULE_INVALID/);
  fs.writeFileSync(path.join(dir, 'schedules'), '# fine\nplan m.hcl every 30m\n\ndestroy m.hcl every 1h\n');
  const file = await runCli(['server', '--rpc-addr', '127.0.0.1:0', '--no-store', '--schedule-file', 'schedules'], dir);
  t.is(file.code, 1);
  t.regex(file.stderr, /schedules:4: unknown kind \\"destroy\\"/);
  const missing = await runCli(['server', '--rpc-addr', '127.0.0.1:0', '--no-store', '--schedule-file', 'nowhere'], dir);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /--schedule-file nowhere: cannot read it/);
});
