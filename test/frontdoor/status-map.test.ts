import test from 'ava';
import { status } from '@grpc/grpc-js';
import { ConvergeError, ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { mapError, STATUS_MAP, transportReason } from '../../src/frontdoor/status-map.js';

test('mapError() - every error code maps to a gRPC and an HTTP status through its class', (t) => {
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const mapped = mapError(new ConvergeError(code, 'm'));
    t.deepEqual({ grpc: mapped.grpc, http: mapped.http }, STATUS_MAP[ERROR_CODES[code]], code);
    t.true(mapped.known);
  }
});

test('mapError() - the statuses clients rely on', (t) => {
  const pairs: Array<[ErrorCode, status, number]> = [
    ['CNV_ERR_AUTH_MISSING', status.UNAUTHENTICATED, 401],
    ['CNV_ERR_AUTH_INVALID', status.UNAUTHENTICATED, 401],
    ['CNV_ERR_QUEUE_FULL', status.RESOURCE_EXHAUSTED, 503],
    ['CNV_ERR_MODULE_PATH', status.PERMISSION_DENIED, 403],
    ['CNV_ERR_MODULE_NOT_FOUND', status.NOT_FOUND, 404],
    ['CNV_ERR_SERVER_REQUEST_INVALID', status.INVALID_ARGUMENT, 400],
  ];
  for (const [code, grpc, http] of pairs) t.like(mapError(new ConvergeError(code, 'm')), { grpc, http }, code);
});

test('mapError() - unknown errors are UNKNOWN/500 and their text is not passed on', (t) => {
  const mapped = mapError(new Error('secret internals at /root/.ssh'));
  t.like(mapped, { grpc: status.UNKNOWN, http: 500, known: false });
  t.false(mapped.message.includes('secret'));
});

test('transportReason() - keeps the cause of a failed connection and drops grpc-js framing', (t) => {
  const refused = 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ';
  t.is(transportReason(refused), 'connect ECONNREFUSED 127.0.0.1:1');
  t.is(transportReason('No connection established. Last error: read ECONNRESET. Resolution note: dns ok'), 'read ECONNRESET (dns ok)');
  t.is(transportReason('Name resolution failed for target dns:nohost:4774'), 'Name resolution failed for target dns:nohost:4774');
});
