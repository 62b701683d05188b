import test from 'ava';
import { runCli, scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';
import { metricsAddress, scrape } from './prom-text.js';

const TOKEN = 'a-long-enough-metrics-token';

test('server --metrics-addr - a plan, an apply and a refused token move the counters', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--rpc-token', TOKEN, '--metrics-addr', '127.0.0.1:0']);
  const url = `http://${metricsAddress(server.stderr())}/metrics`;
  const rpc = ['--rpc-addr', `127.0.0.1:${server.port}`, '--nocolor'];

  const before = await scrape(url);
  t.is(before.get('converge_runs_total{kind="plan",outcome="ok"}'), undefined);
  // prom-client's default metrics: the event-loop lag and the process's own figures.
  t.true(before.has('nodejs_eventloop_lag_seconds'));
  t.true(before.has('process_resident_memory_bytes'));
  t.is(before.get('converge_queue_waiting'), 0);
  t.is(before.get('converge_jobs_running'), 0);

  const plan = await runCli(['plan', ...rpc, '--rpc-token', TOKEN, 'two.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  const apply = await runCli(['apply', ...rpc, '--rpc-token', TOKEN, 'two.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);
  const refused = await runCli(['plan', ...rpc, '--rpc-token', 'not-the-token-at-all', 'two.hcl'], dir);
  t.is(refused.code, 1);

  const after = await scrape(url);
  t.is(after.get('converge_runs_total{kind="plan",outcome="ok"}'), 1);
  t.is(after.get('converge_runs_total{kind="apply",outcome="ok"}'), 1);
  t.is(after.get('converge_run_duration_seconds_count{kind="plan"}'), 1);
  t.is(after.get('converge_run_duration_seconds_count{kind="apply"}'), 1);
  t.is(after.get('converge_queue_wait_seconds_count{kind="apply"}'), 1);
  // two.hcl has two files to write: the plan finds both to change, the apply changes both.
  t.is(after.get('converge_nodes_changed_total{kind="plan"}'), 2);
  t.is(after.get('converge_nodes_changed_total{kind="apply"}'), 2);
  t.true((after.get('converge_nodes_checked_total{kind="apply"}') ?? 0) >= 2);
  t.is(after.get('converge_nodes_failed_total{kind="apply"}'), 0);
  t.is(after.get('converge_auth_failures_total{reason="invalid"}'), 1);
  t.log(`plan ${after.get('converge_run_duration_seconds_sum{kind="plan"}')} s, apply ${after.get('converge_run_duration_seconds_sum{kind="apply"}')} s`);

  const missing = await fetch(url.replace('/metrics', '/other'));
  t.is(missing.status, 404);
  t.is(await server.stop(), 0);
});

test('server --metrics-addr - a bad address is a usage error naming the flag', async (t) => {
  const dir = scratchDir(t);
  const result = await runCli(['server', '--rpc-addr', '127.0.0.1:0', '--no-store', '--metrics-addr', 'nine-four-seven-four'], dir);
  // Usage errors exit 255, as the original's os.Exit(-1) did.
  t.is(result.code, 255);
  t.regex(result.stderr, /--metrics-addr must look like host:port/);
});
