import { randomInt } from 'node:crypto';
import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext } from '../helpers.js';
import { api, removeAfter, uniqueName } from './docker-env.js';

const ctx = runContext(process.cwd());

/** A /24 unlikely to collide with other runs: 10.<pid-derived>.<random>.0/24. */
function subnet(): { subnet: string; gateway: string } {
  const b = 100 + (process.pid % 100);
  const c = randomInt(1, 250);
  return { subnet: `10.${b}.${c}.0/24`, gateway: `10.${b}.${c}.1` };
}

test.serial('a network is created with labels and IPAM config, then reports no change', async (t) => {
  const name = uniqueName('net');
  removeAfter(t, 'network', name);
  const ipam = subnet();
  const task = await prepare(
    'docker.network',
    { name, labels: { environment: 'test' }, ipam_config: [ipam] },
    ctx.cwd,
  );

  const before = await task.check(ctx);
  t.is(before.level, StatusLevel.WillChange);
  t.deepEqual(before.diffs[name], { original: 'absent', current: 'present', changes: true });

  const applied = await task.apply(ctx);
  t.is(applied.error, undefined);
  t.deepEqual(applied.messages, [`created network ${name}`]);

  const info = await api.getNetwork(name).inspect();
  t.is(info.Driver, 'bridge');
  t.deepEqual(info.Labels, { environment: 'test' });
  t.deepEqual(
    (info.IPAM?.Config ?? []).map((c) => [c.Subnet, c.Gateway]),
    [[ipam.subnet, ipam.gateway]],
  );

  // With force, every compared field must match what was just created.
  const forced = await prepare(
    'docker.network',
    { name, labels: { environment: 'test' }, ipam_config: [ipam], force: true },
    ctx.cwd,
  );
  const after = await forced.check(ctx);
  t.is(after.level, StatusLevel.NoChange, JSON.stringify(after));
  t.is(after.warning, undefined);
  t.is((forced.exported() as { id: string }).id, info.Id);
});

test.serial('with force a network whose labels differ is recreated; without force it only warns', async (t) => {
  const name = uniqueName('net');
  removeAfter(t, 'network', name);
  await api.createNetwork({ Name: name, Driver: 'bridge', Labels: { tier: 'old' } });

  const lenient = await prepare('docker.network', { name, labels: { tier: 'new' } }, ctx.cwd);
  const warned = await lenient.check(ctx);
  t.is(warned.level, StatusLevel.NoChange);
  t.regex(warned.warning ?? '', new RegExp(`network ${name} differs from the module in labels`));

  const forced = await prepare('docker.network', { name, labels: { tier: 'new' }, force: true }, ctx.cwd);
  const planned = await forced.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.diffs['labels'], { original: 'tier=old', current: 'tier=new', changes: true });
  const applied = await forced.apply(ctx);
  t.deepEqual(applied.messages, [`removed network ${name}`, `created network ${name}`]);
  t.deepEqual((await api.getNetwork(name).inspect()).Labels, { tier: 'new' });
  t.is((await forced.check(ctx)).level, StatusLevel.NoChange);
});

test.serial('a gateway already used by another network cannot be planned', async (t) => {
  const taken = uniqueName('net');
  const name = uniqueName('net');
  removeAfter(t, 'network', taken);
  removeAfter(t, 'network', name);
  const ipam = subnet();
  await api.createNetwork({
    Name: taken,
    Driver: 'bridge',
    IPAM: { Driver: 'default', Config: [{ Subnet: ipam.subnet, Gateway: ipam.gateway }] },
  });
  const task = await prepare('docker.network', { name, ipam_config: [ipam] }, ctx.cwd);
  const status = await task.check(ctx);
  t.is(status.level, StatusLevel.CantChange);
  t.deepEqual(status.messages, [`gateway ${ipam.gateway} already in use`]);
});

test.serial('state absent removes the network', async (t) => {
  const name = uniqueName('net');
  removeAfter(t, 'network', name);
  await api.createNetwork({ Name: name, Driver: 'bridge' });
  const task = await prepare('docker.network', { name, state: 'absent' }, ctx.cwd);
  t.is((await task.check(ctx)).level, StatusLevel.WillChange);
  t.deepEqual((await task.apply(ctx)).messages, [`removed network ${name}`]);
  const after = await task.check(ctx);
  t.is(after.level, StatusLevel.NoChange);
  t.deepEqual(after.diffs[name], { original: 'absent', current: 'absent', changes: false });
});
