import test from 'ava';
import type { Logger } from '../../src/frontdoor/logger.js';
import { isLoopback } from '../../src/frontdoor/metrics-listener.js';
import { authRefusalReason } from '../../src/frontdoor/metrics.js';
import { ConvergeError } from '../../src/errors.js';
import { scrape } from '../e2e/prom-text.js';
import { request, serve } from './helpers.js';

function capture(): { logger: Logger; lines: Array<{ level: string; msg: string; fields: Readonly<Record<string, unknown>> }> } {
  const lines: Array<{ level: string; msg: string; fields: Readonly<Record<string, unknown>> }> = [];
  return { lines, logger: { log: (level, msg, fields = {}) => lines.push({ level, msg, fields }) } };
}

test('metrics - two servers in one process count apart (a registry each)', async (t) => {
  const one = await serve(t, { token: 'first-server-token-long-enough', metrics: { host: '127.0.0.1', port: 0 } });
  const two = await serve(t, { token: 'second-server-token-long-enough', metrics: { host: '127.0.0.1', port: 0 } });
  t.not(one.metricsUrl, null);
  t.not(one.metricsUrl, two.metricsUrl);
  const refused = await request(one, 'POST', '/api/v1/machine/plan', { body: '{}' });
  t.is(refused.status, 401);
  const first = await scrape(one.metricsUrl!);
  const second = await scrape(two.metricsUrl!);
  t.is(first.get('converge_auth_failures_total{reason="missing"}'), 1);
  t.is(second.get('converge_auth_failures_total{reason="missing"}'), undefined);
  // Both have prom-client's default metrics, though only one process collects them.
  t.true(second.has('nodejs_eventloop_lag_seconds'));
});

test('metrics - off by default: no URL', async (t) => {
  const server = await serve(t);
  t.is(server.metricsUrl, null);
});

test('metrics - a non-loopback address is served with a warning', async (t) => {
  const { logger, lines } = capture();
  const server = await serve(t, { noToken: true, logger, metrics: { host: '0.0.0.0', port: 0 } });
  const warning = lines.find((line) => line.level === 'WARN' && line.msg.startsWith('metrics are served without authentication'));
  t.truthy(warning);
  t.regex(String(warning?.fields['addr']), /^0\.0\.0\.0:\d+$/);
  t.is((await scrape(server.metricsUrl!)).get('converge_queue_waiting'), 0);
});

test('metrics - a loopback address has no warning; a taken port fails the start naming the flag', async (t) => {
  const { logger, lines } = capture();
  const server = await serve(t, { noToken: true, logger, metrics: { host: '127.0.0.1', port: 0 } });
  t.false(lines.some((line) => line.msg.startsWith('metrics are served without authentication')));
  const port = Number(new URL(server.metricsUrl!).port);
  const error = await t.throwsAsync(serve(t, { noToken: true, metrics: { host: '127.0.0.1', port } }), { code: 'CNV_ERR_SERVER_ADDRESS_IN_USE' });
  t.regex(error?.message ?? '', /--metrics-addr/);
});

test('isLoopback() - loopback forms and others', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) t.true(isLoopback(host), host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '']) t.false(isLoopback(host), host);
});

test('authRefusalReason() - every auth refusal code has a reason; other errors none', (t) => {
  t.is(authRefusalReason(new ConvergeError('CNV_ERR_AUTH_EXPIRED', 'x')), 'expired');
  t.is(authRefusalReason(new ConvergeError('CNV_ERR_AUTH_UNKNOWN_KEY', 'x')), 'unknown_key');
  t.is(authRefusalReason(new ConvergeError('CNV_ERR_AUTH_KEYS_FILE', 'x')), undefined);
  t.is(authRefusalReason(new ConvergeError('CNV_ERR_QUEUE_FULL', 'x')), undefined);
  t.is(authRefusalReason(new Error('plain')), undefined);
  t.is(authRefusalReason(null), undefined);
});
