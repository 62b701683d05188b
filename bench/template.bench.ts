/**
 * Template throughput: compiling, executing, and both, on the shapes Converge modules use. Prints one
 * JSON line per measurement: {"name", "value", "unit"}, where rates are per second of this process's
 * CPU time. Each case runs for about BUDGET_MS of CPU after a warm-up, so the file takes a few seconds.
 */
import { performance } from 'node:perf_hooks';
import { CONVERGE_FUNCS, CONVERGE_FUNC_NAMES } from '../src/graph/template/converge-funcs.js';
import { compileTemplate, formatValue, type FuncMap } from '../src/graph/template/index.js';

const BUDGET_MS = 400;
const WARMUP_MS = 100;

const params: Record<string, unknown> = {
  name: 'world',
  items: Array.from({ length: 10 }, (_, i) => i),
  map: { a: 1, b: 2, c: 3, d: 4 },
  csv: 'a|b|c|d|e',
  big: Array.from({ length: 1000 }, (_, i) => `item-${i}`),
};

const funcs: FuncMap = {
  ...CONVERGE_FUNCS,
  param: (n) => formatValue(params[n as string]),
  paramList: (n) => (params[n as string] as unknown[]).map((v) => formatValue(v)),
  paramMap: (n) => params[n as string],
  lookup: () => 'value',
};

const options = { funcNames: CONVERGE_FUNC_NAMES, file: 'bench.hcl', line: 1, column: 1 };

const SOURCES = {
  plain: '/etc/motd: hello, nothing to render here',
  param: 'Hello, {{param `name`}}!',
  jsonify: '{"map": {{paramMap `map` | jsonify}}, "list": {{paramList `items` | jsonify}}, "s": {{param `name` | jsonify}}}',
  control:
    '{{- range $k, $v := paramMap `map` -}}{{if eq $k "b"}}{{continue}}{{end}}{{$k}}={{printf "%03d" $v}}\n{{end -}}' +
    '{{range $i, $p := param `csv` | split `|`}}{{$i}}:{{$p}} {{end}}',
  printf: '{{printf "%-10s|%5d|%8.3f|%q|%v" "name" 42 3.14159 "quoted" .}}',
};

/** CPU time of this process in ms. The machine is shared, so wall time would mostly measure others. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function measure(name: string, unit: string, perOp: number, fn: () => void): void {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) fn();
  let ops = 0;
  const start = cpuMs();
  let now = start;
  while (now - start < BUDGET_MS) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    now = cpuMs();
  }
  const seconds = (now - start) / 1000;
  console.log(JSON.stringify({ name, value: Math.round((ops * perOp) / seconds), unit }));
}

let sink = 0;
for (const [key, source] of Object.entries(SOURCES)) {
  measure(`template.compile.${key}`, 'ops/s', 1, () => {
    sink += compileTemplate(source, options) === null ? 0 : 1;
  });
  const compiled = compileTemplate(source, options);
  const dot = { a: [1, 2, 3] };
  measure(`template.execute.${key}`, 'ops/s', 1, () => {
    sink += compiled.execute(dot, funcs).length;
  });
  measure(`template.compile+execute.${key}`, 'ops/s', 1, () => {
    sink += compileTemplate(source, options).execute(dot, funcs).length;
  });
}

const bigRange = compileTemplate('{{range $i, $v := paramList `big`}}{{$i}}={{$v}},{{end}}', options);
measure('template.execute.range-1000.iterations', 'iterations/s', 1000, () => {
  sink += bigRange.execute(undefined, funcs).length;
});

if (sink < 0) console.error(sink);
