import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { dockerEndpoint } from '../../../src/resources/docker/client.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext } from '../helpers.js';

test('DOCKER_HOST unset means the default socket', (t) => {
  const endpoint = dockerEndpoint({});
  t.is(endpoint.label, 'unix:///var/run/docker.sock');
  t.deepEqual(endpoint.options, { socketPath: '/var/run/docker.sock' });
});

test('DOCKER_HOST accepts unix://, a bare path and tcp://', (t) => {
  t.deepEqual(dockerEndpoint({ DOCKER_HOST: 'unix:///run/podman/podman.sock' }).options, {
    socketPath: '/run/podman/podman.sock',
  });
  t.is(dockerEndpoint({ DOCKER_HOST: '/tmp/d.sock' }).label, 'unix:///tmp/d.sock');
  const tcp = dockerEndpoint({ DOCKER_HOST: 'tcp://10.1.2.3:2375' });
  t.is(tcp.label, 'tcp://10.1.2.3:2375');
  t.deepEqual(tcp.options, { host: '10.1.2.3', port: 2375, protocol: 'http' });
  t.is(dockerEndpoint({ DOCKER_HOST: 'tcp://engine.local' }).options.port, 2375);
});

test('DOCKER_TLS_VERIFY reads the certificates from DOCKER_CERT_PATH', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-docker-tls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const file of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, file), `${file} body`);
  const tls = dockerEndpoint({ DOCKER_HOST: 'tcp://10.1.2.3', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
  t.is(tls.options.protocol, 'https');
  t.is(tls.options.port, 2376);
  t.is(String(tls.options.ca), 'ca.pem body');

  const missing = t.throws(() =>
    dockerEndpoint({ DOCKER_HOST: 'tcp://10.1.2.3', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: path.join(dir, 'none') }),
  );
  t.regex(missing.message, /cannot read the TLS files/);
});

test('an unsupported DOCKER_HOST is a coded error naming it', (t) => {
  const error = t.throws(() => dockerEndpoint({ DOCKER_HOST: 'ssh://me@host' }), { instanceOf: ConvergeError });
  t.is((error as ConvergeError).code, 'CNV_ERR_DOCKER_UNREACHABLE');
  t.regex(error.message, /invalid DOCKER_HOST "ssh:\/\/me@host"/);
});

const KINDS: readonly [string, Record<string, unknown>][] = [
  ['docker.image', { name: 'busybox' }],
  ['docker.container', { name: 'web', image: 'busybox' }],
  ['docker.network', { name: 'net' }],
  ['docker.volume', { name: 'vol' }],
];

/**
 * The engine cannot be reached: every kind's check and apply fail as a status (so the walk goes on with
 * the rest of the graph) whose error names the endpoint.
 */
async function assertUnreachable(t: import('ava').ExecutionContext, pattern: RegExp): Promise<void> {
  const ctx = runContext(process.cwd());
  for (const [kind, fields] of KINDS) {
    const task = await prepare(kind, fields, ctx.cwd);
    for (const status of [await task.check(ctx), await task.apply(ctx)]) {
      t.is(status.level, StatusLevel.Fatal, kind);
      t.regex(status.error ?? '', pattern, kind);
    }
  }
}

test.serial('with no engine at a unix socket, every docker kind fails naming the socket', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-docker-none-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 'docker.sock');
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = `unix://${socket}`;
  t.teardown(() => {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  });
  const escaped = socket.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  await assertUnreachable(t, new RegExp(`^cannot reach the Docker engine at unix://${escaped} \\(.+\\): .*ENOENT`));
});

test.serial('with nothing listening on a tcp endpoint, every docker kind fails naming host and port', async (t) => {
  // A port that was free a moment ago: bind, note it, close.
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = `tcp://127.0.0.1:${port}`;
  t.teardown(() => {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  });
  await assertUnreachable(t, new RegExp(`^cannot reach the Docker engine at tcp://127\\.0\\.0\\.1:${port} \\(.+\\): .*ECONNREFUSED`));
});

test.serial('an unusable DOCKER_HOST fails the nodes when they run, not when they are prepared', async (t) => {
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = 'ftp://nowhere';
  t.teardown(() => {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  });
  await assertUnreachable(t, /^invalid DOCKER_HOST "ftp:\/\/nowhere": only unix:\/\/ and tcp:\/\/ endpoints are supported$/);
});
