/**
 * A real `converge server` set up from a config file, logging JSON: every line it writes parses, a
 * client with the wrong token leaves one INFO line with its address and the reason and no token, and
 * a config file with an unknown key stops the command, naming the key, the file and the line.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { runCli, scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';

const TOKEN = 'config-file-test-token';

test('server --config: JSON logs from the file; a wrong token is logged with peer and reason, never a token', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'converge.yaml'), `log-format: json\nrpc-token: ${TOKEN}\nserver:\n  rpc-addr: 127.0.0.1:0\n`);
  const server = await startServerProcess(t, dir, ['--config', 'converge.yaml']);
  const addr = `127.0.0.1:${server.port}`;
  const good = await runCli(['ping', '--rpc-addr', addr, '--rpc-token', TOKEN], dir);
  t.is(good.code, 0, good.stderr);
  // The client also reads the config file, through the environment; its token is the wrong one.
  const wrong = await runCli(['ping', '--rpc-addr', addr], dir, { CONVERGE_RPC_TOKEN: 'the-wrong-token-entirely', CONVERGE_CONFIG: 'converge.yaml' });
  t.is(wrong.code, 1);
  t.is(await server.stop(), 0);
  const lines = server.stderr().split('\n').filter((line) => line !== '');
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  t.true(entries.length >= 3);
  for (const entry of entries) t.deepEqual([typeof entry['timestamp'], typeof entry['level'], typeof entry['msg']], ['string', 'string', 'string']);
  const refused = entries.filter((e) => e['msg'] === 'request refused');
  t.is(refused.length, 1);
  t.like(refused[0], { level: 'INFO', method: 'Info.Ping', refusal: 'auth', code: 'CNV_ERR_AUTH_INVALID', reason: 'signature is invalid' });
  t.regex(String(refused[0]!['peer']), /^127\.0\.0\.1:\d+$/);
  t.false(server.stderr().includes(TOKEN));
  t.false(server.stderr().includes('the-wrong-token-entirely'));
  t.false(server.stderr().includes('eyJ'), 'no JWT');
});

test('--config with an unknown key: exit 1 naming the key, the file and the line; a missing --config file too', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'log-level: info\nrpc-adr: 127.0.0.1:1\n');
  const unknown = await runCli(['ping', '--config', 'bad.yaml'], dir);
  t.is(unknown.code, 1);
  t.is(unknown.stderr, 'Error: bad.yaml:2:1: unknown key "rpc-adr": not a flag of any command\n');
  const missing = await runCli(['ping', '--config', 'nope.yaml'], dir);
  t.is(missing.code, 1);
  t.is(missing.stderr, 'Error: nope.yaml: cannot read the config file (no such file)\n');
  const badFormat = await runCli(['ping', '--log-format', 'xml'], dir);
  t.is(badFormat.code, 255);
  t.regex(badFormat.stderr, /not a valid log format: "xml"/);
});
