import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext } from '../helpers.js';
import { api, ensureTestImage, removeAfter, TEST_IMAGE, TEST_IMAGE_REF, uniqueName } from './docker-env.js';

const ctx = runContext(process.cwd());
/** A long-running command that exits promptly on SIGTERM (PID 1 ignores signals it does not handle). */
const IDLE = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

test.before(async () => {
  await ensureTestImage();
});

test.serial('a web server on its own network with a volume and a published port serves, then has no changes', async (t) => {
  const name = uniqueName('web');
  const network = uniqueName('net');
  const volume = uniqueName('vol');
  // Teardowns run last-registered first: the container must go before its network and volume.
  removeAfter(t, 'volume', volume);
  removeAfter(t, 'network', network);
  removeAfter(t, 'container', name);
  await api.createNetwork({ Name: network, Driver: 'bridge' });
  await api.createVolume({ Name: volume });

  const fields = {
    name,
    image: TEST_IMAGE_REF,
    command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
    working_dir: '/www',
    env: { GREETING: 'hello' },
    ports: ['127.0.0.1::8080'],
    networks: [network],
    volumes: [`${volume}:/data`],
    force: true,
  };
  const task = await prepare('docker.container', fields, ctx.cwd);
  const before = await task.check(ctx);
  t.is(before.level, StatusLevel.WillChange);
  t.deepEqual(before.diffs['name'], { original: '<container-missing>', current: name, changes: true });

  const applied = await task.apply(ctx);
  t.is(applied.error, undefined, applied.error);
  t.deepEqual(applied.messages, [`created container ${name}`, `started container ${name}`]);

  const info = await api.getContainer(name).inspect();
  t.true(info.State.Running);
  t.true(Object.keys(info.NetworkSettings.Networks).includes(network));
  t.true((info.Config.Env ?? []).includes('GREETING=hello'));
  t.true((info.Mounts ?? []).some((m) => m.Name === volume && m.Destination === '/data'));
  const hostPort = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
  t.truthy(hostPort);
  const response = await fetch(`http://127.0.0.1:${hostPort}/index.html`, { signal: AbortSignal.timeout(20_000) });
  t.is((await response.text()).trim(), 'hello from converge');

  // Every compared field must agree with the container the module just created.
  const after = await task.check(ctx);
  t.is(after.warning, undefined, after.warning);
  t.is(after.level, StatusLevel.NoChange, JSON.stringify(after.diffs));
  t.false(Object.values(after.diffs).some((d) => d.changes));
  t.is((task.exported() as { id: string }).id, info.Id);
});

test.serial('status created creates without starting; running starts it; created stops it again', async (t) => {
  const name = uniqueName('idle');
  removeAfter(t, 'container', name);
  const base = { name, image: TEST_IMAGE_REF, command: IDLE, network_mode: 'none', force: true };

  const created = await prepare('docker.container', { ...base, status: 'created' }, ctx.cwd);
  t.deepEqual((await created.apply(ctx)).messages, [`created container ${name}`]);
  t.is((await api.getContainer(name).inspect()).State.Status, 'created');
  t.is((await created.check(ctx)).level, StatusLevel.NoChange);

  const running = await prepare('docker.container', { ...base, status: 'running' }, ctx.cwd);
  const toStart = await running.check(ctx);
  t.is(toStart.level, StatusLevel.WillChange);
  t.deepEqual(toStart.diffs['status'], { original: 'created', current: 'running', changes: true });
  t.deepEqual((await running.apply(ctx)).messages, [`started container ${name}`]);
  t.true((await api.getContainer(name).inspect()).State.Running);
  t.is((await running.check(ctx)).level, StatusLevel.NoChange);

  const toStop = await created.check(ctx);
  t.deepEqual(toStop.diffs['status'], { original: 'running', current: 'created', changes: true });
  t.deepEqual((await created.apply(ctx)).messages, [`stopped container ${name}`]);
  t.false((await api.getContainer(name).inspect()).State.Running);
  t.is((await created.check(ctx)).level, StatusLevel.NoChange);
});

test.serial('a differing container is recreated only with force, with a diff naming each field', async (t) => {
  const name = uniqueName('drift');
  removeAfter(t, 'container', name);
  const base = { name, image: TEST_IMAGE_REF, network_mode: 'none' };
  const first = await prepare('docker.container', { ...base, command: IDLE, env: { MODE: 'one' } }, ctx.cwd);
  await first.apply(ctx);
  const firstId = (await api.getContainer(name).inspect()).Id;

  const changed = { ...base, command: ['sh', '-c', 'exec sleep 300'], env: { MODE: 'two' } };
  const lenient = await prepare('docker.container', changed, ctx.cwd);
  const warned = await lenient.check(ctx);
  t.is(warned.level, StatusLevel.NoChange);
  t.is(warned.warning, `container ${name} differs from the module in command, env; set force = true to recreate it`);

  const forced = await prepare('docker.container', { ...changed, force: true }, ctx.cwd);
  const planned = await forced.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.diffs['env'], { original: 'MODE=one', current: 'MODE=two', changes: true });
  t.deepEqual(planned.diffs['command'], { original: IDLE.join(' '), current: 'sh -c exec sleep 300', changes: true });
  t.deepEqual(
    Object.keys(planned.diffs).filter((k) => planned.diffs[k]!.changes).sort(),
    ['command', 'env'],
  );

  const applied = await forced.apply(ctx);
  t.deepEqual(applied.messages, [`removed container ${name}`, `created container ${name}`, `started container ${name}`]);
  const info = await api.getContainer(name).inspect();
  t.not(info.Id, firstId);
  t.true((info.Config.Env ?? []).includes('MODE=two'));
  t.is((await forced.check(ctx)).level, StatusLevel.NoChange);
});

test.serial('a container whose image is not in the engine fails the node with the engine message', async (t) => {
  const name = uniqueName('noimg');
  removeAfter(t, 'container', name);
  const task = await prepare('docker.container', { name, image: `${TEST_IMAGE}:not-pulled`, network_mode: 'none' }, ctx.cwd);
  const applied = await task.apply(ctx);
  t.is(applied.level, StatusLevel.Fatal);
  t.regex(applied.error ?? '', new RegExp(`^create container ${name}: .+`));
});
