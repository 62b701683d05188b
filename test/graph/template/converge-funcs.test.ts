/** Converge's graph-free functions, alone and inside templates the way modules use them. */
import { existsSync, readFileSync } from 'node:fs';
import test from 'ava';
import {
  CONVERGE_FUNCS,
  CONVERGE_FUNC_NAMES,
  env,
  join,
  jsonify,
  parseOsRelease,
  Platform,
  platform,
  platformFromOsRelease,
  split,
} from '../../../src/graph/template/converge-funcs.js';
import { compileTemplate, formatValue, type FuncMap } from '../../../src/graph/template/index.js';

const CENTOS = [
  'NAME="CentOS Linux"',
  'VERSION="7 (Core)"',
  'ID="centos"',
  'ID_LIKE="rhel fedora"',
  'VERSION_ID="7"',
  'PRETTY_NAME="CentOS Linux 7 (Core)"',
  'BUILD_ID=2009',
  '# a comment',
  'HOME_URL="https://www.centos.org/?a=b"',
  '',
].join('\n');

/** The functions an engine would give a node whose params are `params`. */
function moduleFuncs(params: Record<string, unknown>, os = CENTOS): FuncMap {
  return {
    ...CONVERGE_FUNCS,
    param: (name: unknown) => formatValue(params[name as string]),
    paramList: (name: unknown) => (params[name as string] as unknown[]).map((v) => formatValue(v)),
    paramMap: (name: unknown) => params[name as string],
    platform: () => platformFromOsRelease(os, 'linux'),
  };
}

function renderModule(source: string, params: Record<string, unknown> = {}): string {
  return compileTemplate(source, { funcNames: CONVERGE_FUNC_NAMES }).execute(undefined, moduleFuncs(params));
}

test('split() - Go strings.Split semantics', (t) => {
  t.deepEqual(split(',', 'a,b,,c'), ['a', 'b', '', 'c']);
  t.deepEqual(split('', 'héllo'), ['h', 'é', 'l', 'l', 'o']);
  t.deepEqual(split(',', ''), ['']);
  t.deepEqual(split('', ''), []);
  t.deepEqual(split('ab', 'xabyabz'), ['x', 'y', 'z']);
  t.throws(() => split(',', 3), { message: /argument 2 has type int; expected string/ });
  t.throws(() => split(','), { message: 'wrong number of args for split: want 2 got 1' });
});

test('join() - formats elements with %v and treats a non-list as a list of one', (t) => {
  t.is(join('-', ['a', 1, true, null, 1.5]), 'a-1-true-<nil>-1.5');
  t.is(join('-', 'solo'), 'solo');
  t.is(join('\n', [1, 2, 3]), '1\n2\n3');
  t.is(join(',', []), '');
  t.is(join(',', [[1, 2], { a: 1 }]), '[1 2],map[a:1]');
});

test('jsonify() - json.Marshal: sorted map keys, no spaces, HTML-safe escapes', (t) => {
  t.is(jsonify({ b: [1, 'x'], a: { d: null, c: true } }), '{"a":{"c":true,"d":null},"b":[1,"x"]}');
  t.is(jsonify('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
  t.is(jsonify('line\nbreak\t"q"\u2028'), '"line\\nbreak\\t\\"q\\"\\u2028"');
  t.is(jsonify('\x01\b\f\\b'), '"\\u0001\\u0008\\u000c\\\\b"');
  t.is(jsonify(1.5), '1.5');
  t.is(jsonify(1e21), '1e+21');
  t.is(jsonify(1e-7), '1e-7');
  t.is(jsonify(['1', '2']), '["1","2"]');
  t.is(jsonify(null), 'null');
  t.throws(() => jsonify(Number.NaN), { message: 'json: unsupported value: NaN' });
  const p = platformFromOsRelease(CENTOS, 'linux');
  t.is(
    jsonify(p),
    '{"Build":"2009","OS":"linux","LinuxDistribution":"centos","LinuxLSBLike":["rhel","fedora"],"Name":"CentOS Linux","PrettyName":"CentOS Linux 7 (Core)","Version":"7"}',
  );
});

test('env() - returns whole values, including ones that contain =', (t) => {
  const name = `CNV_TEMPLATE_TEST_${process.pid}`;
  process.env[name] = 'a=b=c';
  t.teardown(() => {
    delete process.env[name];
  });
  t.is(env(name), 'a=b=c');
  t.is(env(`${name}_UNSET`), '');
  t.is(renderModule(`{{env "${name}"}}`), 'a=b=c');
});

test('parseOsRelease() - unquotes values and keeps everything after the first =', (t) => {
  const values = parseOsRelease(CENTOS);
  t.is(values.get('NAME'), 'CentOS Linux');
  t.is(values.get('BUILD_ID'), '2009');
  t.is(values.get('HOME_URL'), 'https://www.centos.org/?a=b');
  t.false(values.has('# a comment'));
  t.is(parseOsRelease("A='single'\nB=\"esc \\\"q\\\" \\$x\"").get('B'), 'esc "q" $x');
});

test('platformFromOsRelease() - fills every field; missing data leaves them empty', (t) => {
  const p = platformFromOsRelease(CENTOS, 'linux');
  t.true(p instanceof Platform);
  t.deepEqual({ ...p }, {
    Build: '2009',
    OS: 'linux',
    LinuxDistribution: 'centos',
    LinuxLSBLike: ['rhel', 'fedora'],
    Name: 'CentOS Linux',
    PrettyName: 'CentOS Linux 7 (Core)',
    Version: '7',
  });
  const bare = platformFromOsRelease(null, 'darwin');
  t.deepEqual({ ...bare }, { Build: '', OS: 'darwin', LinuxDistribution: '', LinuxLSBLike: [], Name: '', PrettyName: '', Version: '' });
});

test('platform() - reads this machine once and hands out copies', (t) => {
  const a = platform();
  const b = platform();
  t.not(a, b);
  t.deepEqual(a, b);
  a.LinuxLSBLike.push('mutated');
  a.Name = 'mutated';
  t.notDeepEqual(platform().Name, 'mutated');
  t.false(platform().LinuxLSBLike.includes('mutated'));
  if (process.platform === 'linux' && existsSync('/etc/os-release')) {
    t.deepEqual({ ...platform() }, { ...platformFromOsRelease(readFileSync('/etc/os-release', 'utf8'), 'linux') });
  }
});

// The shapes below are the ones Converge's own sample modules use.
test('templates - a list param joined with newlines', (t) => {
  t.is(renderModule('{{paramList `items` | join `\n`}}', { items: [1, 2, 3] }), '1\n2\n3');
});

test('templates - jsonify of a map, a stringified list and a string', (t) => {
  const source = '{"m": {{paramMap `m` | jsonify}}, "l": {{paramList `l` | jsonify}}, "s": {{param `s` | jsonify}}}';
  t.is(renderModule(source, { m: { c: 3, a: 1, b: 2 }, l: [1, 2, 3], s: 'sasquatch' }), '{"m": {"a":1,"b":2,"c":3}, "l": ["1","2","3"], "s": "sasquatch"}');
});

test('templates - range over a list param with trim markers', (t) => {
  t.is(renderModule('{{- range paramList `items` -}}\n{{.}}\n{{end -}}\n', { items: [1, 2, 3] }), '1\n2\n3\n');
});

test('templates - range over a map param with key and value', (t) => {
  t.is(renderModule('{{- range $k, $v := paramMap `items` -}}\n{{$k}}: {{$v}}\n{{end -}}\n', { items: { b: 2, a: 1 } }), 'a: 1\nb: 2\n');
});

test('templates - split piped from a param, separator from another param', (t) => {
  const source = '{{range $i, $part := param `csv` | split (param `sep`) }}{{$part}}\n{{end}}';
  t.is(renderModule(source, { csv: 'a|b|c', sep: '|' }), 'a\nb\nc\n');
});

test('templates - platform fields, as a function-result chain', (t) => {
  t.is(
    renderModule('{{platform.OS}}: {{platform.Name}} {{platform.Version}} {{platform.LinuxDistribution}} {{platform.LinuxLSBLike}} {{platform.Build}}'),
    'linux: CentOS Linux 7 centos [rhel fedora] 2009',
  );
  t.is(renderModule('{{platform}}'), '&{2009 linux centos [rhel fedora] CentOS Linux CentOS Linux 7 (Core) 7}');
  t.is(renderModule('{{if eq platform.LinuxDistribution "centos"}}yum{{else}}apt{{end}}'), 'yum');
});
