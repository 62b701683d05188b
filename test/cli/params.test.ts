import test from 'ava';
import { parseKeyValue, parseParams } from '../../src/cli/params.js';
import { parseArgs, splitOnCommas } from '../../src/cli/args.js';

test('parseKeyValue() - splits at the first =', (t) => {
  t.deepEqual(parseKeyValue('a=b=c'), ['a', 'b=c']);
  t.deepEqual(parseKeyValue('empty='), ['empty', '']);
  t.throws(() => parseKeyValue('novalue'), { code: 'CNV_ERR_PARAM_MALFORMED', message: 'malformed parameter: novalue' });
});

test('parseParams() - -p values are strings and JSON keeps its types', (t) => {
  const { params, errors } = parseParams(['a=1', 'b=x'], '{"list":["x","y"],"map":{"k":1},"n":2}');
  t.deepEqual(errors, []);
  t.deepEqual(params, { a: '1', b: 'x', list: ['x', 'y'], map: { k: 1 }, n: 2 });
});

test('parseParams() - reports duplicates from either source and every malformed pair', (t) => {
  const { errors } = parseParams(['k=v', 'k=v2', 'bad', 'j=1'], '{"j":[1,2]}');
  t.deepEqual(
    errors.map((e) => e.message),
    ['duplicate entry: found k=v and k=v2', 'malformed parameter: bad', 'duplicate entry: found j=1 and j=[1,2]'],
  );
});

test('parseParams() - JSON must be an object', (t) => {
  t.regex(parseParams([], '[1]').errors[0]!.message, /must be a JSON object/);
  t.regex(parseParams([], '{nope').errors[0]!.message, /not valid JSON/);
  t.deepEqual(parseParams([], '').params, {});
});

test('splitOnCommas() - splits like pflag string slices, with CSV quotes', (t) => {
  t.deepEqual(splitOnCommas('a=1,b=2'), ['a=1', 'b=2']);
  t.deepEqual(splitOnCommas('"a=1,2",b=3'), ['a=1,2', 'b=3']);
  t.deepEqual(splitOnCommas(''), []);
});

const SPECS = [
  { name: 'params', short: 'p', type: 'list', env: false, commaSplit: true, description: '' },
  { name: 'local', type: 'bool', description: '' },
  { name: 'nocolor', short: 'n', type: 'bool', description: '' },
  { name: 'rpc-addr', type: 'string', default: '127.0.0.1:4774', description: '' },
  { name: 'parallelism', type: 'int', default: 16, description: '' },
] as const;

test('parseArgs() - long, short, clustered and = forms, flags after positionals', (t) => {
  const parsed = parseArgs(['x.hcl', '-p', 'a=1,b=2', '-pc=3', '--local', '-n', '--rpc-addr=h:1', '--parallelism', '4', 'y.hcl'], SPECS);
  t.deepEqual(parsed.positionals, ['x.hcl', 'y.hcl']);
  t.deepEqual(parsed.flags['params'], ['a=1', 'b=2', 'c=3']);
  t.is(parsed.flags['local'], true);
  t.is(parsed.flags['nocolor'], true);
  t.is(parsed.flags['rpc-addr'], 'h:1');
  t.is(parsed.flags['parallelism'], 4);
});

test('parseArgs() - defaults, environment fallback, and -- ends flags', (t) => {
  const env = { CONVERGE_LOCAL: '1', CONVERGE_RPC_ADDR: 'e:2', CONVERGE_PARAMS: 'ignored=1' };
  const parsed = parseArgs(['--', '--local'], SPECS, env);
  t.deepEqual(parsed.positionals, ['--local']);
  t.is(parsed.flags['local'], true);
  t.is(parsed.flags['rpc-addr'], 'e:2');
  t.deepEqual(parsed.flags['params'], []);
  t.is(parsed.flags['parallelism'], 16);
  t.is(parseArgs(['--local=false'], SPECS, env).flags['local'], false);
});

test('parseArgs() - usage errors carry CNV_ERR_CLI_USAGE', (t) => {
  t.throws(() => parseArgs(['--nope'], SPECS), { code: 'CNV_ERR_CLI_USAGE', message: 'unknown flag: --nope' });
  t.throws(() => parseArgs(['--rpc-addr'], SPECS), { code: 'CNV_ERR_CLI_USAGE', message: 'flag needs an argument: --rpc-addr' });
  t.throws(() => parseArgs(['--parallelism', 'lots'], SPECS), { code: 'CNV_ERR_CLI_USAGE' });
  t.throws(() => parseArgs(['-x'], SPECS), { code: 'CNV_ERR_CLI_USAGE' });
  t.throws(() => parseArgs([], SPECS, { CONVERGE_LOCAL: 'maybe' }), { code: 'CNV_ERR_CLI_USAGE' });
});
