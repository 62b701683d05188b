/**
 * HCL v1 parsing speed: our parser against js-hcl-parser (GopherJS build of HashiCorp's HCL v1) on
 * one generated module of 5,000 Converge resource blocks (file.content, task with a heredoc,
 * param, task.query with depends, nested switch/case).
 *
 *   npm run bench -- hcl            or   node build/bench/hcl.bench.js [blocks]
 *
 * Prints JSON lines {name, value, unit}: medians over several runs after a warm-up, in ms for the
 * whole file and µs per block, as wall time and as process CPU time (on a loaded machine the wall
 * time is mostly waiting: the garbage collector's helper threads starve); also the oracle's load
 * time and the source size.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { formatHcl, parseHcl, toPlain } from '../src/graph/hcl/index.js';

const BLOCKS = Number(process.argv[2] ?? 5000);

function generate(blocks: number): string {
  const out: string[] = ['# generated for the HCL benchmark\n'];
  for (let i = 0; i < blocks; i++) {
    switch (i % 5) {
      case 0:
        out.push(`param "p${i}" {\n  default = "value ${i}"\n}\n`);
        break;
      case 1:
        out.push(
          `file.content "f${i}" {\n  destination = "/tmp/bench/f${i}.txt"\n  content     = "{{param \`p${i - 1}\`}}\\n"\n  mode        = 0644\n  depends     = ["param.p${i - 1}"]\n}\n`,
        );
        break;
      case 2:
        out.push(`task "t${i}" {\n  check = "test -f /tmp/bench/f${i - 1}.txt"\n  apply = <<EOF\necho "apply ${i}" # comment\ntouch /tmp/bench/t${i}\nEOF\n\n  timeout = "10s"\n}\n`);
        break;
      case 3:
        out.push(`task.query "q${i}" {\n  query   = "echo ${i}"\n  depends = ["task.t${i - 1}", "file.content.f${i - 2}"]\n}\n`);
        break;
      default:
        out.push(
          `switch "s${i}" {\n  case "{{eq 1 1}}" "a" {\n    file.content "c${i}" { destination = "c${i}", content = "x" }\n  }\n\n  default {\n    task "d${i}" {\n      check = "true"\n    }\n  }\n}\n`,
        );
    }
    out.push('\n');
  }
  return out.join('');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function measure(runs: number, fn: () => unknown): Timing {
  fn(); // warm-up (JIT)
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    fn();
    walls.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

function report(name: string, t: Timing): void {
  const line = (suffix: string, value: number, unit: string): void =>
    console.log(JSON.stringify({ name: `${name} ${suffix}`, value: Number(value.toFixed(2)), unit, blocks: BLOCKS }));
  line('wall total', t.wall, 'ms');
  line('wall per block', (t.wall * 1000) / BLOCKS, 'µs');
  line('cpu total', t.cpu, 'ms');
  line('cpu per block', (t.cpu * 1000) / BLOCKS, 'µs');
}

const source = generate(BLOCKS);
console.log(JSON.stringify({ name: 'source size', value: source.length, unit: 'chars', blocks: BLOCKS }));

report('ours parseHcl', measure(9, () => parseHcl(source, 'bench.hcl')));
report('ours parseHcl+toPlain', measure(9, () => toPlain(parseHcl(source, 'bench.hcl'))));
report('ours formatHcl', measure(5, () => formatHcl(source, 'bench.hcl')));

let oracle: { parse(source: string): string } | undefined;
const loadStart = performance.now();
try {
  oracle = createRequire(import.meta.url)('js-hcl-parser') as { parse(source: string): string };
} catch {
  console.log(JSON.stringify({ name: 'js-hcl-parser', skipped: 'not installed (devDependency)' }));
}
if (oracle) {
  const parser = oracle;
  console.log(JSON.stringify({ name: 'js-hcl-parser load', value: Number((performance.now() - loadStart).toFixed(1)), unit: 'ms' }));
  report('js-hcl-parser parse+JSON.parse', measure(3, () => JSON.parse(parser.parse(source)) as unknown));
}
