/**
 * systemd.unit.state against a real systemd: converge runs inside the container of
 * scripts/systemd-test-env.sh and talks to its PID 1 over the system bus. Each test has units of its
 * own, so they need no order; what converge did is checked with systemctl and files the units write.
 */
import test from 'ava';
import { converge, exec, installUnits, missingEnvironment, readFile, unitProperty } from './container.js';

test.before(() => {
  const missing = missingEnvironment();
  if (missing !== undefined) throw new Error(missing);
});

const SLEEPER = `[Unit]
Description=converge test sleeper %N
[Service]
ExecStart=/bin/sleep infinity
ExecReload=/bin/sh -c 'echo reload >> /tmp/%N.reloads'
[Install]
WantedBy=multi-user.target
`;

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

test('running + enabled starts and enables a service; the second plan has no changes', async (t) => {
  await installUnits({ 'cnv-start.service': SLEEPER });
  const module = `systemd.unit.state "web" {
  unit    = "cnv-start.service"
  state   = "running"
  enabled = true
}
`;
  const plan = await converge('plan', 'start-plan', module);
  const planned = plan.nodes.get('root/systemd.unit.state.web');
  t.is(plan.code, 0, plan.stderr);
  t.true(planned?.hasChanges);
  t.deepEqual(planned?.changes?.['state'], { original: 'inactive', current: 'active', changes: true });
  t.deepEqual(planned?.changes?.['enabled'], { original: 'disabled', current: 'enabled', changes: true });
  t.is(await unitProperty('cnv-start.service', 'ActiveState'), 'inactive', 'plan changed nothing');

  const applied = await converge('apply', 'start', module);
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  t.is(applied.summary?.errors, 0);
  t.is(await unitProperty('cnv-start.service', 'ActiveState'), 'active');
  t.is(await unitProperty('cnv-start.service', 'UnitFileState'), 'enabled');

  const again = await converge('plan', 'start', module);
  t.is(again.code, 0);
  t.is(again.summary?.changes, 0);
  t.deepEqual(again.nodes.get('root/systemd.unit.state.web')?.messages, ['already running']);
});

test('stopped + disabled stops and disables a service; the second plan has no changes', async (t) => {
  await installUnits({ 'cnv-stop.service': SLEEPER });
  t.is((await exec(['systemctl', 'enable', '--now', 'cnv-stop.service'])).code, 0);
  const module = `systemd.unit.state "web" {
  unit    = "cnv-stop.service"
  state   = "stopped"
  enabled = false
}
`;
  const applied = await converge('apply', 'stop', module);
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  const node = applied.nodes.get('root/systemd.unit.state.web');
  t.deepEqual(node?.changes?.['state'], { original: 'active', current: 'inactive', changes: true });
  t.is(await unitProperty('cnv-stop.service', 'ActiveState'), 'inactive');
  t.is(await unitProperty('cnv-stop.service', 'UnitFileState'), 'disabled');
  const again = await converge('plan', 'stop', module);
  t.is(again.summary?.changes, 0);
  t.deepEqual(again.nodes.get('root/systemd.unit.state.web')?.messages, ['unit is already inactive']);
});

test('restarted restarts a oneshot service on every apply; reload and a signal reach the service', async (t) => {
  await installUnits({
    'cnv-once.service': `[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo run >> /tmp/cnv-once.runs'
`,
    'cnv-trap.service': `[Service]
ExecStart=/bin/sh -c 'trap "echo got-usr1 >> /tmp/cnv-trap.signals" USR1; trap "echo got-hup >> /tmp/cnv-trap.signals" HUP; while :; do sleep 0.1; done'
ExecReload=/bin/sh -c 'echo reload >> /tmp/cnv-trap.reloads'
`,
  });
  t.is((await exec(['systemctl', 'start', 'cnv-trap.service'])).code, 0);
  const restart = `systemd.unit.state "once" {
  unit  = "cnv-once.service"
  state = "restarted"
}
`;
  const first = await converge('apply', 'restart', restart);
  t.is(first.code, 0, first.stdout + first.stderr);
  t.deepEqual(first.nodes.get('root/systemd.unit.state.once')?.changes?.['state'], { original: 'inactive', current: 'restarted', changes: true });
  await converge('apply', 'restart', restart);
  t.deepEqual(lines(await readFile('/tmp/cnv-once.runs')), ['run', 'run']);
  // A restart is an action, not a state: the next plan shows it again.
  const plan = await converge('plan', 'restart', restart);
  t.true(plan.nodes.get('root/systemd.unit.state.once')?.hasChanges);

  const actions = await converge(
    'apply',
    'actions',
    `systemd.unit.state "by-name" {
  unit        = "cnv-trap.service"
  signal_name = "usr1"
  reload      = true
}
`,
  );
  t.is(actions.code, 0, actions.stdout + actions.stderr);
  t.deepEqual(actions.nodes.get('root/systemd.unit.state.by-name')?.messages?.slice(0, 2), [
    'Sending signal `SIGUSR1` to unit',
    'Reloading unit configuration',
  ]);
  const byNumber = await converge('apply', 'by-number', `systemd.unit.state "hup" {
  unit          = "cnv-trap.service"
  signal_number = 1
}
`);
  t.is(byNumber.code, 0, byNumber.stdout + byNumber.stderr);
  t.deepEqual(lines(await readFile('/tmp/cnv-trap.reloads')), ['reload']);
  // The shell runs a trap once its sleep ends; give it a moment.
  let signals: string[] = [];
  for (let i = 0; i < 50 && signals.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    signals = lines(await readFile('/tmp/cnv-trap.signals'));
  }
  t.deepEqual(signals, ['got-usr1', 'got-hup']);
  t.is(await unitProperty('cnv-trap.service', 'ActiveState'), 'active');
});

test("a socket's and a service's D-Bus properties are exported for lookups", async (t) => {
  await installUnits({
    'cnv-echo.socket': `[Unit]
Description=converge test socket
Documentation=man:converge(1) https://example.invalid/converge
[Socket]
ListenStream=/run/cnv-echo.sock
Accept=yes
`,
    'cnv-echo@.service': `[Service]
ExecStart=/bin/cat
StandardInput=socket
`,
    'cnv-look.service': SLEEPER,
  });
  const module = `systemd.unit.state "echo" {
  unit  = "cnv-echo.socket"
  state = "running"
}
systemd.unit.state "look" {
  unit  = "cnv-look"
  state = "running"
}
file.content "info" {
  destination = "/tmp/cnv-info.txt"
  content = <<EOF
{{lookup \`systemd.unit.state.echo.unit\`}} {{lookup \`systemd.unit.state.echo.type\`}} {{lookup \`systemd.unit.state.echo.loadstate\`}} {{lookup \`systemd.unit.state.echo.path\`}}
{{lookup \`systemd.unit.state.echo.description\`}}|{{lookup \`systemd.unit.state.echo.global_properties.Documentation\`}}
{{lookup \`systemd.unit.state.echo.socket_properties.Accept\`}} {{lookup \`systemd.unit.state.echo.socket_properties.Listen\`}}
{{lookup \`systemd.unit.state.look.service_properties.Type\`}} {{lookup \`systemd.unit.state.look.service_properties.ExecMainStatus\`}} {{lookup \`systemd.unit.state.look.status\`}}
EOF
}
`;
  const applied = await converge('apply', 'lookups', module);
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  t.is(
    await readFile('/tmp/cnv-info.txt'),
    [
      'cnv-echo.socket socket loaded /etc/systemd/system/cnv-echo.socket',
      // lookup renders lists as Go's fmt does: [a b], a(ss) as [[Stream /run/...]].
      'converge test socket|[man:converge(1) https://example.invalid/converge]',
      'true [[Stream /run/cnv-echo.sock]]',
      'simple 0 active',
      '',
    ].join('\n'),
  );
  t.is(await unitProperty('cnv-echo.socket', 'ActiveState'), 'active');
  const again = await converge('plan', 'lookups', module);
  t.is(again.summary?.changes, 0, again.stdout);
});

test('a unit systemd does not know fails with its name and the reason; a bad signal name fails at load', async (t) => {
  const missing = await converge('plan', 'missing', `systemd.unit.state "nope" {
  unit  = "cnv-missing.service"
  state = "running"
}
`);
  t.not(missing.code, 0);
  const error = missing.nodes.get('root/systemd.unit.state.nope')?.error ?? '';
  t.regex(error, /unit cnv-missing\.service: no such unit known to systemd/);
  t.log(error);

  const badSignal = await converge('plan', 'bad-signal', `systemd.unit.state "web" {
  unit        = "cnv-start.service"
  signal_name = "SIGNOPE"
}
`);
  t.not(badSignal.code, 0);
  t.regex(badSignal.stdout + badSignal.stderr, /bad-signal\.hcl:1:1: root\/systemd\.unit\.state\.web: signal_name: \\?"SIGNOPE\\?" is not a signal name/);
});

test('a start that fails names the unit and why', async (t) => {
  await installUnits({ 'cnv-fail.service': `[Service]
Type=oneshot
ExecStart=/bin/false
` });
  const applied = await converge('apply', 'fail', `systemd.unit.state "bad" {
  unit  = "cnv-fail.service"
  state = "running"
}
`);
  t.not(applied.code, 0);
  const error = applied.nodes.get('root/systemd.unit.state.bad')?.error ?? '';
  t.regex(error, /unit cnv-fail\.service: StartUnit: the job ended failed while starting: unit exited with a non-zero exit code/);
});

test('enabled on a static unit changes nothing; on a masked unit the plan says it cannot', async (t) => {
  await installUnits({
    'cnv-static.service': `[Service]
ExecStart=/bin/sleep infinity
`,
  });
  // systemctl refuses to mask a unit whose file is in /etc; this one has no file but the mask.
  await exec(['sh', '-c', 'systemctl unmask cnv-masked.service; rm -f /etc/systemd/system/cnv-masked.service']);
  t.is((await exec(['systemctl', 'mask', 'cnv-masked.service'])).code, 0);
  t.teardown(async () => {
    await exec(['systemctl', 'unmask', 'cnv-masked.service']);
  });
  const plan = await converge('plan', 'enablement', `systemd.unit.state "static" {
  unit    = "cnv-static.service"
  enabled = true
}
systemd.unit.state "masked" {
  unit    = "cnv-masked.service"
  enabled = true
}
`);
  const staticNode = plan.nodes.get('root/systemd.unit.state.static');
  t.false(staticNode?.hasChanges);
  t.deepEqual(staticNode?.messages, ['unit is static (no [Install] section): it cannot be enabled and needs not be']);
  t.is(plan.nodes.get('root/systemd.unit.state.masked')?.error, 'unit cnv-masked.service is masked: unmask it before it can be enabled');
  t.not(plan.code, 0);
});

test('running on a unit still activating waits for its start job and ends active', async (t) => {
  await installUnits({
    'cnv-slow.service': `[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sleep 6
`,
  });
  t.is((await exec(['systemctl', 'start', '--no-block', 'cnv-slow.service'])).code, 0);
  // The queued job runs a moment later.
  let state = '';
  for (let i = 0; i < 30 && state !== 'activating'; i++) {
    state = await unitProperty('cnv-slow.service', 'ActiveState');
    if (state !== 'activating') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.is(state, 'activating');
  const applied = await converge('apply', 'slow', `systemd.unit.state "slow" {
  unit  = "cnv-slow.service"
  state = "running"
}
`);
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  t.is(applied.nodes.get('root/systemd.unit.state.slow')?.messages?.[0], 'unit is already activating, will re-check status during apply');
  t.is(await unitProperty('cnv-slow.service', 'ActiveState'), 'active');
});
