/**
 * A seeded, deterministic generator of HCL v1 documents for the property test: valid documents
 * built from the grammar, and mutated copies that are usually invalid.
 */

/** mulberry32: a tiny 32-bit PRNG; same seed, same sequence, on every machine. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const IDENTS = ['a', 'b', 'name', 'x-y', '_z', 'k1', 'Param', 'content', 'destination', 'mode', 'check', 'apply', 'é'];
// Mostly separate from attribute keys: a key used both ways makes HCL v1's decoder fail, which the
// property covers, but too often would leave few accepted documents.
const BLOCKS = ['file.content', 'task.query', 'param', 'module', 'switch', 'case', 'default', 'x', 'PARAM'];
const STRING_PARTS = [
  'plain', ' ', 'x', '\\n', '\\t', '\\"', '\\\\', '\\u00e9', '\\U0001F600', '\\x41', '\\101', 'é', '{{param `a`}}',
  '${var.x}', '${f("q", "r")}', '${ {a} }', '$${lit}', '$', '{', '}', '#', '//', '/*', '<<',
];
const NUMBERS = ['0', '1', '42', '-7', '0755', '-017', '0x1F', '0XaB', '3.5', '-0.25', '1e3', '2.5E-2', '4e+1', '.5', '1.', '2147483647', '-2147483648', '010'];

function quoted(rng: Rng): string {
  let s = '"';
  const n = rng.int(4);
  for (let i = 0; i < n; i++) s += rng.pick(STRING_PARTS);
  return `${s}"`;
}

function heredoc(rng: Rng, indent: string): string {
  const anchor = rng.pick(['EOF', 'END', 'X1']);
  const lines = Array.from({ length: rng.int(3) }, () => rng.pick(['echo hi', '  two', 'q "x" ${y}', '', '\tz']));
  if (rng.chance(0.5)) {
    const pad = rng.pick(['  ', '    ', '\t']);
    return `<<-${anchor}\n${lines.map((l) => pad + l).join('\n')}${lines.length ? '\n' : ''}${pad}${anchor}\n${indent}`;
  }
  return `<<${anchor}\n${lines.join('\n')}${lines.length ? '\n' : ''}${anchor}\n${indent}`;
}

function key(rng: Rng): string {
  if (rng.chance(0.05)) return rng.pick(BLOCKS);
  return rng.chance(0.85) ? rng.pick(IDENTS) : quoted(rng);
}

function value(rng: Rng, depth: number, indent: string): string {
  const r = rng.int(depth > 2 ? 4 : 7);
  switch (r) {
    case 0:
      return quoted(rng);
    case 1:
      return rng.pick(NUMBERS);
    case 2:
      return rng.pick(['true', 'false']);
    case 3:
      return rng.chance(0.3) ? heredoc(rng, indent) : quoted(rng);
    case 4:
    case 5: {
      const n = rng.int(4);
      const items = Array.from({ length: n }, () => value(rng, depth + 1, indent));
      return `[${items.join(rng.pick([', ', ',', ',\n' + indent + '  ']))}${n && rng.chance(0.3) ? ',' : ''}]`;
    }
    default:
      return `{${body(rng, depth + 1, indent + '  ', true)}}`;
  }
}

function comment(rng: Rng): string {
  return rng.pick(['# note', '// note', '/* note */', '/* multi\n line */']);
}

function item(rng: Rng, depth: number, indent: string): string {
  if (depth < 3 && rng.chance(0.35)) {
    const labels = Array.from({ length: rng.int(4) }, () => (rng.chance(0.85) ? quoted(rng) : rng.pick(IDENTS)));
    const type = rng.chance(0.9) ? rng.pick(BLOCKS) : rng.pick(IDENTS);
    return `${[type, ...labels].join(' ')} {${body(rng, depth + 1, indent + '  ', false)}}`;
  }
  return `${key(rng)} = ${value(rng, depth, indent)}`;
}

function body(rng: Rng, depth: number, indent: string, inline: boolean): string {
  const n = rng.int(inline ? 3 : 4);
  if (n === 0) return rng.pick(['', ' ', '\n' + indent.slice(2)]);
  if (inline && rng.chance(0.5)) {
    return ` ${Array.from({ length: n }, () => item(rng, depth, indent)).join(rng.pick([', ', ' ']))} `;
  }
  let out = '\n';
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.15)) out += `${indent}${comment(rng)}\n`;
    out += indent + item(rng, depth, indent);
    if (rng.chance(0.1)) out += ',';
    if (rng.chance(0.15)) out += ` ${rng.pick(['# end', '// end'])}`;
    out += '\n';
  }
  return out + indent.slice(2);
}

/** A document that follows the grammar (it may still repeat keys with clashing types). */
export function validDocument(rng: Rng): string {
  let out = '';
  const n = 1 + rng.int(5);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.2)) out += `${comment(rng)}\n`;
    out += `${item(rng, 0, '  ')}\n`;
    if (rng.chance(0.4)) out += '\n';
  }
  return out;
}

const INSERTS = [' ', '{', '}', '[', ']', '=', ',', '"', '\\', '#', '/', '*', '<', '-', '.', '0', 'x', '\n', '$', 'a', '8', 'e'];

/** One to three random edits: delete, insert, replace or duplicate. */
export function mutate(rng: Rng, source: string): string {
  let s = source;
  const edits = 1 + rng.int(3);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(s.length + 1);
    switch (rng.int(4)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + rng.pick(INSERTS) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + rng.pick(INSERTS) + s.slice(at + 1);
        break;
      default: {
        const len = 1 + rng.int(6);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
      }
    }
  }
  return s;
}
