import test from 'ava';
import { status } from '@grpc/grpc-js';
import { ConvergeError } from '../../src/errors.js';
import { client, request, serve } from './helpers.js';

test('a module that does not exist is 404 over HTTP and NOT_FOUND over gRPC, not "unavailable"', async (t) => {
  const server = await serve(t, { noToken: true });
  const http = await request(server, 'POST', '/api/v1/machine/plan', { body: '{"location":"nope-does-not-exist.hcl"}' });
  t.is(http.status, 404, http.body);
  t.regex(http.body, /CNV_ERR_LOAD_NOT_FOUND|no such file/);
  const error = await t.throwsAsync(async () => {
    for await (const _ of client(t, server).plan({ location: 'nope-does-not-exist.hcl' })) void _;
  });
  t.true(error instanceof ConvergeError);
  t.is((error as ConvergeError).code, 'CNV_ERR_LOAD_NOT_FOUND');
  t.is((error as ConvergeError).details?.['grpcCode'], status.NOT_FOUND);
});

test('a remote module that cannot be fetched is 502 over HTTP and FAILED_PRECONDITION over gRPC', async (t) => {
  const server = await serve(t, { noToken: true });
  // Port 1 on loopback: nothing listens, so the fetch is refused at once.
  const location = 'http://127.0.0.1:1/missing.hcl';
  const http = await request(server, 'POST', '/api/v1/machine/plan', { body: JSON.stringify({ location }) });
  t.is(http.status, 502, http.body);
  const error = await t.throwsAsync(async () => {
    for await (const _ of client(t, server).plan({ location })) void _;
  });
  t.is((error as ConvergeError).code, 'CNV_ERR_LOAD_FETCH');
  t.is((error as ConvergeError).details?.['grpcCode'], status.FAILED_PRECONDITION);
});
