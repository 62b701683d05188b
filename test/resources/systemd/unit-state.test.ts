/**
 * The parts of systemd.unit.state that need no systemd: signal names, unit names, D-Bus values as plain
 * data, field validation, the error when there is no system bus, and that dbus-next is not loaded by
 * commands that do not use the kind. The behaviour against systemd is in unit-state.systemd-test.ts.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConvergeError } from '../../../src/errors.js';
import { signalByName, signalByNumber } from '../../../src/resources/systemd/signals.js';
import { fullUnitName } from '../../../src/resources/systemd/unit-info.js';
import { plainProperties, plainValue } from '../../../src/resources/systemd/values.js';
import { prepare, runContext, tempDir } from '../helpers.js';

const run = promisify(execFile);

test('signal names take any case, with or without SIG; numbers are Linux ones', (t) => {
  for (const name of ['usr1', 'USR1', 'SIGUSR1', 'sigusr1', ' Usr1 ']) t.deepEqual(signalByName(name), { name: 'SIGUSR1', number: 10 });
  t.deepEqual(signalByName('iot'), { name: 'SIGABRT', number: 6 });
  t.is(signalByName('SIGNOPE'), undefined);
  t.is(signalByName('SIG'), undefined);
  t.deepEqual(signalByNumber(1), { name: 'SIGHUP', number: 1 });
  t.deepEqual(signalByNumber(31), { name: 'SIGSYS', number: 31 });
  t.is(signalByNumber(0), undefined);
  t.is(signalByNumber(32), undefined);
  t.is(signalByNumber(1.5), undefined);
});

test('a unit name without a type suffix is a service', (t) => {
  t.is(fullUnitName('ssh'), 'ssh.service');
  t.is(fullUnitName('ssh.service'), 'ssh.service');
  t.is(fullUnitName('acpid.socket'), 'acpid.socket');
  t.is(fullUnitName('getty@tty1.service'), 'getty@tty1.service');
  t.is(fullUnitName('my.app'), 'my.app.service');
});

test('D-Bus values become plain data: 64-bit integers as numbers or, past 2^53, decimal strings', (t) => {
  t.is(plainValue(42n), 42);
  t.is(plainValue(18446744073709551615n), '18446744073709551615');
  t.is(plainValue(Buffer.from('abc')), 'abc');
  t.deepEqual(plainValue([['Stream', '/run/x.sock']]), [['Stream', '/run/x.sock']]);
  t.deepEqual(
    plainProperties({ MemoryMax: { signature: 't', value: 18446744073709551615n }, Names: { signature: 'as', value: ['a.service'] } }),
    { MemoryMax: '18446744073709551615', Names: ['a.service'] },
  );
  t.notThrows(() => JSON.stringify(plainValue({ inner: { signature: 'x', value: -5n } })));
});

test('a bad signal is refused when the module loads, naming the field', async (t) => {
  const dir = tempDir(t);
  const byName = await t.throwsAsync(prepare('systemd.unit.state', { unit: 'a.service', signal_name: 'nope' }, dir));
  t.is((byName as ConvergeError).code, 'CNV_ERR_FIELD_INVALID');
  t.is(byName?.message, 'signal_name: "nope" is not a signal name');
  const byNumber = await t.throwsAsync(prepare('systemd.unit.state', { unit: 'a.service', signal_number: 64 }, dir));
  t.is(byNumber?.message, 'signal_number: 64 is not a signal number (1 to 31)');
  const both = await t.throwsAsync(prepare('systemd.unit.state', { unit: 'a.service', signal_name: 'hup', signal_number: 1 }, dir));
  t.regex(both?.message ?? '', /signal_name.*signal_number|signal_number.*signal_name/);
});

test('without a system bus, check fails with CNV_ERR_SYSTEMD_UNREACHABLE naming the address', async (t) => {
  const dir = tempDir(t);
  const address = `unix:path=${path.join(dir, 'no-bus-here')}`;
  const saved = process.env['DBUS_SYSTEM_BUS_ADDRESS'];
  process.env['DBUS_SYSTEM_BUS_ADDRESS'] = address;
  t.teardown(() => {
    if (saved === undefined) delete process.env['DBUS_SYSTEM_BUS_ADDRESS'];
    else process.env['DBUS_SYSTEM_BUS_ADDRESS'] = saved;
  });
  const task = await prepare('systemd.unit.state', { unit: 'web.service', state: 'running' }, dir);
  const error = await t.throwsAsync(task.check(runContext(dir)));
  t.is((error as ConvergeError).code, 'CNV_ERR_SYSTEMD_UNREACHABLE');
  t.true(error?.message.includes(address), error?.message);
  t.true(error?.message.startsWith('unit web.service: LoadUnit: '), error?.message);
});

// NODE_DEBUG=module traces every CommonJS load, the bundle's and its workers' (dbus-next is CommonJS and
// outside the bundle); the second run is the control that the trace would show it.
test('commands that do not use systemd.unit.state do not load dbus-next', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'task.hcl'), 'task "t" {\n  check = "true"\n  apply = "true"\n}\n');
  writeFileSync(path.join(dir, 'unit.hcl'), 'systemd.unit.state "s" {\n  unit = "x.service"\n}\n');
  const converge = path.join(process.cwd(), 'bin/converge');
  const env = { ...process.env, NODE_DEBUG: 'module', DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${path.join(dir, 'no-bus')}` };
  const trace = async (file: string): Promise<string> => {
    const result = await run(converge, ['plan', '--local', file], { cwd: dir, env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stderr?: string }) => ({ stderr: error.stderr ?? '' }),
    );
    return result.stderr;
  };
  t.false((await trace('task.hcl')).includes('node_modules/dbus-next/'));
  t.true((await trace('unit.hcl')).includes('node_modules/dbus-next/'));
});
