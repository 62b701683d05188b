/**
 * An error message of any length reaches a gRPC client: past MAX_GRPC_ERROR_BYTES it is cut with a
 * marker (a grpc-message header over the client's header-list limit used to leave the client waiting
 * forever), and the full text goes to the server log. HTTP bodies carry it whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { MAX_GRPC_ERROR_BYTES } from '../../src/defaults.js';
import { boundedDetails } from '../../src/frontdoor/grpc-service.js';
import type { Logger } from '../../src/frontdoor/logger.js';
import { client, serve, tempDir } from './helpers.js';
import { collect, postStream } from './streams.js';

const LABEL = `bogus${'a'.repeat(100_000)}`;

test('boundedDetails() - short text untouched; long text cut on a character boundary with a marker', (t) => {
  t.is(boundedDetails('short'), 'short');
  const cut = boundedDetails('é'.repeat(10_000), 101);
  t.false(cut.includes('\uFFFD'));
  t.true(cut.startsWith('é'.repeat(50)));
  t.regex(cut, /message cut at 101 of 20000 bytes/);
});

test('gRPC - a parse error quoting a 100 KB label reaches the client, cut, and is logged in full', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'big.hcl'), `${LABEL} "x" {\n}\n`);
  const lines: Array<{ msg: string; fields: Record<string, unknown> }> = [];
  const logger: Logger = { log: (_level, msg, fields = {}) => lines.push({ msg, fields: { ...fields } }) };
  const server = await serve(t, { noToken: true, cwd, logger });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    collect(client(t, server).plan({ location: 'big.hcl' })).then(
      () => 'no error',
      (error: unknown) => error as Error & { code?: string },
    ),
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000))),
  ]);
  clearTimeout(timer);
  t.not(outcome, 'hung');
  t.not(outcome, 'no error');
  const error = outcome as Error & { code?: string };
  t.is(error.code, 'CNV_ERR_LOAD_RESOURCE_TYPE');
  t.regex(error.message, /message cut at 8192 of \d+ bytes/);
  t.true(Buffer.byteLength(error.message) < MAX_GRPC_ERROR_BYTES + 200);
  const logged = lines.find((l) => l.msg === 'error message cut for the gRPC client');
  t.true(String(logged?.fields['error']).includes(LABEL), 'the full text is in the server log');
});

test('HTTP - the same error arrives whole in the body', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'big.hcl'), `${LABEL} "x" {\n}\n`);
  const server = await serve(t, { noToken: true, cwd });
  const response = await postStream(server.port, '/api/v1/machine/plan', { location: 'big.hcl' }, null);
  t.is(response.status, 400);
  t.true(String(response.lines[0]?.['error']).includes(LABEL));
});
