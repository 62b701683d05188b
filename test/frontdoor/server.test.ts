import fs from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { startServer } from '../../src/frontdoor/server.js';
import { SILENT_LOGGER } from '../../src/frontdoor/logger.js';
import { ResourceHostService } from '../../src/frontdoor/wire/pb-services.js';
import { client, request, serve, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);

test('startServer() - a busy port fails with CNV_ERR_SERVER_ADDRESS_IN_USE', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const error = await t.throwsAsync(startServer({ host: '127.0.0.1', port, noToken: true, logger: SILENT_LOGGER }), {
    code: 'CNV_ERR_SERVER_ADDRESS_IN_USE',
  });
  t.regex(error!.message, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
});

test('gRPC health checking answers SERVING without a token', async (t) => {
  const server = await serve(t, { token: 'x' });
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health as grpc.ServiceClientConstructor;
  const health = new Health(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  t.teardown(() => health.close());
  const reply = await new Promise<{ status: string }>((resolve, reject) => {
    (health as any).Check({ service: '' }, (error: Error | null, value: { status: string }) => (error ? reject(error) : resolve(value)));
  });
  t.is(reply.status, 'SERVING');
});

test('server reflection lists the pb services (what `grpcurl list` shows)', async (t) => {
  const server = await serve(t, { token: 'x' });
  const reflectionProto = path.join(path.dirname(require.resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto');
  const definition = protoLoader.loadSync(reflectionProto, { keepCase: true });
  const Reflection = (grpc.loadPackageDefinition(definition) as any).grpc.reflection.v1.ServerReflection as grpc.ServiceClientConstructor;
  const reflection = new Reflection(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  t.teardown(() => reflection.close());
  const call = (reflection as any).ServerReflectionInfo() as grpc.ClientDuplexStream<object, any>;
  const reply = new Promise<any>((resolve, reject) => {
    call.once('data', resolve);
    call.once('error', reject);
  });
  call.write({ list_services: '' });
  const names = ((await reply).list_services_response.service as Array<{ name: string }>).map((s) => s.name);
  call.end();
  for (const name of ['pb.Executor', 'pb.Grapher', 'pb.ResourceHost', 'pb.Info', 'grpc.health.v1.Health']) t.true(names.includes(name), name);
});

test('bad requests are refused and the server keeps serving', async (t) => {
  const server = await serve(t, { noToken: true });
  // Garbage that is not HTTP at all.
  await new Promise<void>((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.end('\x00\x01\x02 not http\r\n\r\n'));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.resume();
  });
  // An HTTP/2 preface followed by junk.
  await new Promise<void>((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.end('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\xff\xff\xff\xff\xff\xff'));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.resume();
  });
  // A body that is not JSON, and one that is not a LoadRequest.
  const notJson = await request(server, 'POST', '/api/v1/machine/plan', { body: '{nope' });
  t.is(notJson.status, 400);
  const wrongShape = await request(server, 'POST', '/api/v1/machine/plan', { body: '{"location": 5}' });
  t.is(wrongShape.status, 400);
  const noLocation = await request(server, 'POST', '/api/v1/machine/plan', { body: '{}' });
  t.is(noLocation.status, 400);
  t.is((await request(server, 'GET', '/api/v1/ping')).status, 200);
  await t.notThrowsAsync(client(t, server).ping());
});

test('GetBinary - refused when self-serve is off', async (t) => {
  const server = await serve(t, { noToken: true });
  const response = await request(server, 'GET', '/api/v1/resources/binary');
  t.is(response.status, 412);
  t.regex(response.body, /binary download not enabled/);
});

test('startServer() - self-serve with no executable fails at start with CNV_ERR_BINARY_MISSING', async (t) => {
  const missing = path.join(tempDir(t), 'no-such-converge');
  const error = await t.throwsAsync(startServer({ host: '127.0.0.1', port: 0, noToken: true, selfServe: missing, logger: SILENT_LOGGER }), {
    code: 'CNV_ERR_BINARY_MISSING',
  });
  t.true(error.message.includes(missing));
});

test('GetBinary - over gRPC it is refused with CNV_ERR_BINARY_DISABLED, self-serve off or on', async (t) => {
  const off = await serve(t, { noToken: true });
  const binary = path.join(tempDir(t), 'converge');
  fs.writeFileSync(binary, '#!/bin/sh\n');
  const on = await serve(t, { noToken: true, selfServe: binary });
  for (const server of [off, on]) {
    const raw = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    t.teardown(() => raw.close());
    const { GetBinary } = ResourceHostService;
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest(GetBinary.path, GetBinary.requestSerialize, GetBinary.responseDeserialize, {}, (failure) => resolve(failure));
    });
    t.is(error?.code, grpc.status.FAILED_PRECONDITION);
    t.deepEqual(error?.metadata.get('converge-error-code'), ['CNV_ERR_BINARY_DISABLED']);
  }
});
