import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parseArgs } from '../../src/cli/args.js';
import { COMMANDS, findCommand, GLOBAL_FLAGS } from '../../src/cli/commands.js';
import { DEFAULT_CONFIG_FILE, locateConfig, readConfigFile } from '../../src/cli/config-file.js';

function configFile(t: ExecutionContext, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-config-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** Parses `argv` for `command` the way cli.ts does: flags, then `env`, then the file, then defaults. */
function parse(command: string, argv: string[], env: NodeJS.ProcessEnv, file: string) {
  const spec = findCommand(command)!;
  const values = readConfigFile(file, true, spec, COMMANDS, GLOBAL_FLAGS);
  return parseArgs(argv, [...spec.flags, ...GLOBAL_FLAGS], env, values);
}

const FILE = `# the server's settings, and the clients'
log-level: debug
rpc-addr: server.example:4774
parallelism: 8
server:
  rpc-addr: 0.0.0.0:4774
  parallelism: 32
  shutdown-grace: 1m
  no-token: true
plan:
  only-show-changes: true
`;

test('config file - flags win over CONVERGE_* variables, which win over the file, which wins over defaults', (t) => {
  const file = configFile(t, FILE);
  const fromFile = parse('server', [], {}, file);
  t.is(fromFile.flags['parallelism'], 32, "the server's section wins over the top level");
  t.is(fromFile.flags['rpc-addr'], '0.0.0.0:4774');
  t.is(fromFile.flags['shutdown-grace'], '1m');
  t.is(fromFile.flags['no-token'], true);
  t.is(fromFile.flags['log-level'], 'debug', 'top-level keys apply to every command that has the flag');
  t.is(fromFile.flags['max-waiting'], 4096, 'unset keys keep their defaults');
  const fromEnv = parse('server', [], { CONVERGE_PARALLELISM: '4' }, file);
  t.is(fromEnv.flags['parallelism'], 4);
  const fromFlag = parse('server', ['--parallelism', '2'], { CONVERGE_PARALLELISM: '4' }, file);
  t.is(fromFlag.flags['parallelism'], 2);
  const plan = parse('plan', [], {}, file);
  t.is(plan.flags['rpc-addr'], 'server.example:4774', "another command's section does not apply");
  t.is(plan.flags['parallelism'], 8);
  t.is(plan.flags['only-show-changes'], true);
  t.is(parse('ping', [], {}, file).flags['parallelism'], undefined, 'a flag the command lacks is not set');
});

test('config file - an unknown key is CNV_ERR_CONFIG_UNKNOWN_KEY naming the key, the file and the line', (t) => {
  const file = configFile(t, 'log-level: info\nparalelism: 4\n');
  t.throws(() => parse('plan', [], {}, file), {
    code: 'CNV_ERR_CONFIG_UNKNOWN_KEY',
    message: `${file}:2:1: unknown key "paralelism": not a flag of any command`,
  });
  const inSection = configFile(t, 'server:\n  rpc-addr: 0.0.0.0:1\n  show-meta: true\n');
  t.throws(() => parse('plan', [], {}, inSection), {
    code: 'CNV_ERR_CONFIG_UNKNOWN_KEY',
    message: `${inSection}:3:3: unknown key "show-meta": not a flag of "converge server"`,
  });
  const perRun = configFile(t, 'params: [a=1]\n');
  t.throws(() => parse('plan', [], {}, perRun), { code: 'CNV_ERR_CONFIG_UNKNOWN_KEY', message: /params cannot be set in a config file/ });
});

test('config file - wrong types and bad YAML name the file, line and column', (t) => {
  const wordForNumber = configFile(t, 'server:\n  parallelism: lots\n');
  t.throws(() => parse('server', [], {}, wordForNumber), {
    code: 'CNV_ERR_CONFIG_INVALID',
    message: `${wordForNumber}:2:3: parallelism: expected a whole number, got "lots"`,
  });
  const stringForBool = configFile(t, 'nocolor: "yes"\n');
  t.throws(() => parse('plan', [], {}, stringForBool), { code: 'CNV_ERR_CONFIG_INVALID', message: /nocolor: expected true or false/ });
  const broken = configFile(t, 'log-level: info\nrpc-addr: [unclosed\n');
  t.throws(() => parse('plan', [], {}, broken), { code: 'CNV_ERR_CONFIG_PARSE', message: new RegExp(`^${broken.replaceAll('.', '\\.')}:\\d+:\\d+: not valid YAML`) });
  const twice = configFile(t, 'log-level: info\nlog-level: debug\n');
  t.throws(() => parse('plan', [], {}, twice), { code: 'CNV_ERR_CONFIG_PARSE', message: `${twice}:2:1: not valid YAML: Map keys must be unique` });
  const notAMap = configFile(t, '- a\n- b\n');
  t.throws(() => parse('plan', [], {}, notAMap), { code: 'CNV_ERR_CONFIG_INVALID' });
});

test('config file - the default may be absent; a file named by --config or CONVERGE_CONFIG must exist', (t) => {
  t.deepEqual(locateConfig(['plan', 'm.hcl'], {}), { file: DEFAULT_CONFIG_FILE, explicit: false });
  t.deepEqual(locateConfig(['--config', 'a.yaml'], { CONVERGE_CONFIG: 'b.yaml' }), { file: 'a.yaml', explicit: true });
  t.deepEqual(locateConfig(['--config=a.yaml'], {}), { file: 'a.yaml', explicit: true });
  t.deepEqual(locateConfig(['--', '--config', 'a.yaml'], { CONVERGE_CONFIG: 'b.yaml' }), { file: 'b.yaml', explicit: true });
  const missing = path.join(os.tmpdir(), 'converge-no-such-dir', 'config.yaml');
  const plan = findCommand('plan')!;
  t.is(readConfigFile(missing, false, plan, COMMANDS, GLOBAL_FLAGS).size, 0);
  t.throws(() => readConfigFile(missing, true, plan, COMMANDS, GLOBAL_FLAGS), {
    code: 'CNV_ERR_CONFIG_READ',
    message: `${missing}: cannot read the config file (no such file)`,
  });
  t.is(readConfigFile(configFile(t, '# nothing yet\n'), true, plan, COMMANDS, GLOBAL_FLAGS).size, 0);
});
