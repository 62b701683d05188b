/**
 * Named client keys (--rpc-keys): the file's parser, and a real server with its store in a temp dir that
 * records the key's name as the run's who, over gRPC and HTTP; unknown, removed and missing kids refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { loadClientKeys, parseClientKeys } from '../../src/frontdoor/client-keys.js';
import { startServer } from '../../src/frontdoor/server.js';
import { SILENT_LOGGER } from '../../src/frontdoor/logger.js';
import { mintToken } from '../../src/jwt.js';
import { client, request, serve, tempDir } from './helpers.js';

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef';
const SHARED = 'shared-token-0123456789';

function keysDir(t: Parameters<typeof tempDir>[0], text: string): { dir: string; file: string } {
  const dir = tempDir(t);
  fs.copyFileSync(path.resolve('test/fixtures/cli/two.hcl'), path.join(dir, 'two.hcl'));
  const file = path.join(dir, 'keys');
  fs.writeFileSync(file, text);
  return { dir, file };
}

async function planRunId(c: ReturnType<typeof client>): Promise<string> {
  let runId = '';
  for await (const item of c.plan({ location: 'two.hcl' })) if (item.type === 'start') runId = item.runId;
  return runId;
}

test('parseClientKeys() - reads name/key lines, skipping comments and blank lines', (t) => {
  const keys = parseClientKeys(`# ops\n\nalice ${ALICE}\n  bob\t${BOB}  \r\n`, 'keys');
  t.deepEqual([...keys], [['alice', ALICE], ['bob', BOB]]);
});

const badFiles: Array<[string, string, RegExp]> = [
  ['a line with one field', `alice ${ALICE}\nbob\n`, /^keys:2: expected "name key", got 1 field$/],
  ['a line with three fields', `alice ${ALICE} extra\n`, /^keys:1: expected "name key", got 3 fields$/],
  ['a short key', `# c\nalice short\n`, /^keys:2: key for "alice" is shorter than 16 bytes$/],
  ['a duplicate name', `alice ${ALICE}\nalice ${BOB}\n`, /^keys:2: key name "alice" is already used on line 1$/],
  ['a duplicate key', `alice ${ALICE}\n\nbob ${ALICE}\n`, /^keys:3: key for "bob" is the same as the key on line 1/],
  ['a reserved name', `token ${ALICE}\n`, /^keys:1: key name "token" is reserved/],
  ['a bad name', `al/ice ${ALICE}\n`, /^keys:1: key name must be/],
];
for (const [name, text, message] of badFiles) {
  test(`parseClientKeys() - refuses ${name}, naming file:line and not the key`, (t) => {
    const error = t.throws(() => parseClientKeys(text, 'keys'), { code: 'CNV_ERR_AUTH_KEYS_FILE', message });
    t.false(error?.message.includes(ALICE) ?? true);
  });
}

test('parseClientKeys() - refuses a named key equal to --rpc-token; loadClientKeys() names a missing file', (t) => {
  t.throws(() => parseClientKeys(`alice ${SHARED}\n`, 'keys', SHARED), { code: 'CNV_ERR_AUTH_KEYS_FILE', message: /keys:1: .* same as --rpc-token/ });
  t.throws(() => loadClientKeys('/nonexistent/keys'), { code: 'CNV_ERR_AUTH_KEYS_FILE', message: '/nonexistent/keys: cannot read the keys file (ENOENT)' });
});

test('startServer() - refuses --rpc-keys with --no-token, and a bad keys file, before listening', async (t) => {
  const { file } = keysDir(t, `alice ${ALICE}\nalice ${BOB}\n`);
  await t.throwsAsync(startServer({ host: '127.0.0.1', port: 0, logger: SILENT_LOGGER, clientKeysFile: file }), { code: 'CNV_ERR_AUTH_KEYS_FILE', message: /keys:2:/ });
  await t.throwsAsync(startServer({ host: '127.0.0.1', port: 0, logger: SILENT_LOGGER, clientKeysFile: file, noToken: true }), { code: 'CNV_ERR_AUTH_KEYS_FILE' });
});

test('named keys - a run over gRPC and one over HTTP record the key name as who; the shared token still works as "token"', async (t) => {
  const { dir, file } = keysDir(t, `alice ${ALICE}\nbob ${BOB}\n`);
  const server = await serve(t, { cwd: dir, token: SHARED, clientKeysFile: file, store: { dir: path.join(dir, 'state') } });
  const alice = client(t, server, { token: ALICE, keyName: 'alice' });
  const grpcRun = await planRunId(alice);
  t.like((await alice.getRun(grpcRun)).run, { id: grpcRun, kind: 'plan', outcome: 'ok', who: 'alice' });

  const http = await request(server, 'POST', '/api/v1/machine/plan', {
    headers: { Authorization: `Bearer ${await mintToken(BOB, Date.now(), 'bob')}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ location: 'two.hcl' }),
  });
  t.is(http.status, 200);
  const httpRun = String(http.headers['grpc-metadata-run-id']);
  t.like((await alice.getRun(httpRun)).run, { id: httpRun, who: 'bob' });

  const shared = client(t, server, { token: SHARED });
  const sharedRun = await planRunId(shared);
  t.like((await shared.getRun(sharedRun)).run, { who: 'token' });
});

test('named keys - an unknown kid, a key signed under another name, and a removed key are refused; the others keep working', async (t) => {
  const { dir, file } = keysDir(t, `alice ${ALICE}\nbob ${BOB}\n`);
  const server = await serve(t, { cwd: dir, clientKeysFile: file });
  t.is(server.token, null, 'named keys only: no shared token is generated');
  const carol = client(t, server, { token: ALICE, keyName: 'carol' });
  await t.throwsAsync(carol.ping(), { code: 'CNV_ERR_AUTH_UNKNOWN_KEY', message: /key "carol", which this server does not have/ });
  const mixed = client(t, server, { token: ALICE, keyName: 'bob' });
  await t.throwsAsync(mixed.ping(), { code: 'CNV_ERR_AUTH_INVALID', message: /signature is invalid/ });

  const alice = client(t, server, { token: ALICE, keyName: 'alice' });
  const bob = client(t, server, { token: BOB, keyName: 'bob' });
  await alice.ping();
  await bob.ping();
  fs.writeFileSync(file, `# alice left\nbob ${BOB}\n`);
  t.is(server.reloadClientKeys(), 1);
  await t.throwsAsync(alice.ping(), { code: 'CNV_ERR_AUTH_UNKNOWN_KEY' });
  const refused = await request(server, 'GET', '/api/v1/ping', { headers: { Authorization: `Bearer ${await mintToken(ALICE, Date.now(), 'alice')}` } });
  t.is(refused.status, 401);
  await bob.ping();

  // A file that no longer parses is refused whole; bob's key stays.
  fs.writeFileSync(file, `bob ${BOB}\nbob ${ALICE}\n`);
  t.throws(() => server.reloadClientKeys(), { code: 'CNV_ERR_AUTH_KEYS_FILE', message: /keys:2:/ });
  await bob.ping();
});

test('named keys - a JWT without kid against a keys-only server is refused with a message that says what to do', async (t) => {
  const { dir, file } = keysDir(t, `alice ${ALICE}\n`);
  const server = await serve(t, { cwd: dir, clientKeysFile: file });
  const plain = client(t, server, { token: ALICE });
  await t.throwsAsync(plain.ping(), { code: 'CNV_ERR_AUTH_UNKNOWN_KEY', message: /accepts only named keys.*--rpc-key-name/ });
  const http = await request(server, 'GET', '/api/v1/ping', { headers: { Authorization: `Bearer ${await mintToken(ALICE)}` } });
  t.is(http.status, 401);
  t.regex(http.body, /accepts only named keys/);
  t.false(http.body.includes(ALICE));
});
