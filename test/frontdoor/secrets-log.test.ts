/**
 * No secret in the server's output: grpc-js logs a malformed metadata entry with its value, which for
 * `authorization: Bearer<TAB><jwt>` is the client's JWT. A real `converge server` process, a raw HTTP/2
 * request with that header, and its stderr searched for the token.
 */
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import test from 'ava';
import { mintToken } from '../../src/jwt.js';
import { redactSecrets } from '../../src/frontdoor/grpc-logging.js';
import { BIN, scratchDir } from '../e2e/run-cli.js';

const TOKEN = 'secrets-log-test-token-long-enough';

test('redactSecrets() - JWTs, Bearer values and authorization entries are removed', (t) => {
  const jwt = 'eyJhbGciOiJIUzUxMiJ9.eyJpYXQiOjF9.c2lnbmF0dXJl';
  const out = redactSecrets(`Failed to add metadata entry authorization: Bearer\t${jwt}. Metadata value must be legal`);
  t.false(out.includes(jwt));
  t.false(out.includes('c2lnbmF0dXJl'));
  t.regex(out, /Failed to add metadata entry authorization/);
  t.false(redactSecrets('authorization=sekrit123').includes('sekrit123'));
});

function grpcCall(port: number, headers: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/pb.Info/Ping',
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let answer: Record<string, unknown> = {};
    stream.on('response', (h) => (answer = { ...answer, ...h }));
    stream.on('trailers', (h) => (answer = { ...answer, ...h }));
    stream.on('error', reject);
    stream.resume();
    stream.on('close', () => {
      session.close();
      resolve(answer);
    });
    // One empty, uncompressed message.
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

test('a server process logs no part of a JWT sent in a header with a tab', async (t) => {
  const dir = scratchDir(t);
  const child = spawn(BIN, ['server', '--rpc-addr', '127.0.0.1:0', '--rpc-token', TOKEN, '--state-dir', '.state'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GRPC_VERBOSITY: 'DEBUG' },
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString('utf8');
      const match = /msg="serving"[^\n]*addr="127\.0\.0\.1:(\d+)"/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  const jwt = await mintToken(TOKEN);
  const answer = await grpcCall(port, { authorization: `Bearer\t${jwt}` });
  t.is(answer['grpc-status'], '16', 'refused as unauthenticated');
  const good = await grpcCall(port, { authorization: `Bearer ${jwt}` });
  t.is(good['grpc-status'], '0', 'a well-formed header still works');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const [, payload, signature] = jwt.split('.');
  t.regex(output, /Failed to add metadata entry authorization/, 'grpc-js did log the entry, redacted');
  t.false(output.includes(jwt), output);
  t.false(output.includes(payload!), 'not even the claims');
  t.false(output.includes(signature!), 'not even the signature');
  t.false(output.includes(TOKEN));
});
