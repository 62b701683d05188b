/**
 * Every request the server refuses is logged at INFO with the peer address and the reason, never the
 * credential; request log lines carry the peer. The server logs through the CLI's JSON format here,
 * so each line is also checked to be one JSON object.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Logger } from '../../src/cli/log.js';
import { frontDoorLogger } from '../../src/cli/frontdoor-logger.js';
import { collect } from './streams.js';
import { client, handJwt, nowS, request, serve, tempDir } from './helpers.js';

const TOKEN = 'refusals-test-token-long-enough';

interface Entry {
  readonly timestamp: string;
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

function jsonLog(): { logger: ReturnType<typeof frontDoorLogger>; text: () => string; entries: () => Entry[] } {
  let text = '';
  const log = new Logger({ level: 'debug', format: 'json', write: (line) => (text += line) });
  return {
    logger: frontDoorLogger(log, { component: 'rpc' }),
    text: () => text,
    entries: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Entry),
  };
}

const PEER = /^127\.0\.0\.1:\d+$/;

test('auth failures over HTTP and gRPC: one INFO line each with peer and reason, and no token anywhere', async (t) => {
  const log = jsonLog();
  const server = await serve(t, { token: TOKEN, logger: log.logger });
  const forged = handJwt('not-the-token', { iat: nowS(), exp: nowS() + 30 });
  t.is((await request(server, 'GET', '/api/v1/ping', { headers: { Authorization: `Bearer ${forged}` } })).status, 401);
  t.is((await request(server, 'GET', `/api/v1/ping?jwt=${forged}`)).status, 401);
  t.is((await request(server, 'POST', '/api/v1/machine/plan', { body: '{"location":"m.hcl"}' })).status, 401);
  await t.throwsAsync(client(t, server, { token: 'wrong-token-for-this-server' }).ping(), { code: 'CNV_ERR_AUTH_INVALID' });

  const refused = log.entries().filter((e) => e.msg === 'request refused');
  t.deepEqual(
    refused.map((e) => [e.level, e.method, e.refusal, e.code, e.reason]),
    [
      ['INFO', 'GET /api/v1/ping', 'auth', 'CNV_ERR_AUTH_INVALID', 'signature is invalid'],
      ['INFO', 'GET /api/v1/ping', 'auth', 'CNV_ERR_AUTH_INVALID', 'signature is invalid'],
      ['INFO', 'POST /api/v1/machine/plan', 'auth', 'CNV_ERR_AUTH_MISSING', 'authorization not provided'],
      ['INFO', 'Info.Ping', 'auth', 'CNV_ERR_AUTH_INVALID', 'signature is invalid'],
    ],
  );
  for (const entry of refused) t.regex(String(entry.peer), PEER);
  const [, claims, signature] = forged.split('.');
  t.false(log.text().includes(claims!), 'no JWT in the log');
  t.false(log.text().includes(signature!));
  t.false(log.text().includes('wrong-token-for-this-server'));
  t.false(log.text().includes(TOKEN));
});

test('an admission refusal is logged at INFO with the peer and the bound; a run logs its peer', async (t) => {
  const log = jsonLog();
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'm.hcl'), 'task "t" {\n  check = "true"\n  apply = "true"\n}\n');
  const open = await serve(t, { token: TOKEN, logger: log.logger, cwd: dir });
  await collect(client(t, open).plan({ location: 'm.hcl' }));
  const started = log.entries().find((e) => e.msg === 'run started');
  t.regex(String(started?.peer), PEER);
  t.regex(String(log.entries().find((e) => e.msg === 'run finished')?.peer), PEER);

  // One job may run and none may wait: a plan held on a file keeps the only slot.
  fs.writeFileSync(path.join(dir, 'hold.hcl'), 'task "hold" {\n  check = "while [ ! -f go ]; do sleep 0.05; done"\n  apply = "true"\n}\n');
  const full = await serve(t, { token: TOKEN, logger: log.logger, cwd: dir, queue: { maxRunning: 1, maxWaiting: 0 } });
  const held = collect(client(t, full).plan({ location: 'hold.hcl' }));
  while (log.entries().filter((e) => e.msg === 'run started').length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  await t.throwsAsync(collect(client(t, full).plan({ location: 'm.hcl' })), { code: 'CNV_ERR_QUEUE_FULL' });
  fs.writeFileSync(path.join(dir, 'go'), '');
  await held;
  const refused = log.entries().find((e) => e.msg === 'request refused' && e.refusal === 'admission');
  t.is(refused?.level, 'INFO');
  t.is(refused?.method, 'Executor.Plan');
  t.regex(String(refused?.peer), PEER);
  t.regex(String(refused?.reason), /--max-waiting/);
});

test('JSON log lines: one object per line; fields keep their types; the three keys cannot be overwritten', (t) => {
  const lines: string[] = [];
  const log = new Logger({ format: 'json', write: (line) => lines.push(line) }).child({ component: 'rpc' });
  log.info('serving', { addr: '127.0.0.1:1', tls: false, maxConnections: 8192, msg: 'sneaky', error: new Error('boom') });
  t.is(lines.length, 1);
  t.true(lines[0]!.endsWith('}\n'));
  const entry = JSON.parse(lines[0]!) as Entry;
  t.is(entry.msg, 'serving');
  t.is(entry.level, 'INFO');
  t.false(Number.isNaN(Date.parse(entry.timestamp)));
  t.is(entry['field.msg'], 'sneaky');
  t.is(entry['tls'], false);
  t.is(entry['maxConnections'], 8192);
  t.is(entry['error'], 'boom');
  t.is(entry['component'], 'rpc');
});
