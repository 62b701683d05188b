/**
 * Converge's template functions that need no graph: split, join, jsonify, env and
 * platform. The graph-bound ones (param, paramList, paramMap, lookup) belong to the engine, which
 * merges its own functions with these per node.
 */
import { readFileSync } from 'node:fs';
import { chargeOutput, LIST_ELEMENT_BYTES } from './budget.js';
import type { FuncMap } from './exec.js';
import { formatValue, goTypeName, isPlainObject, sortedKeys, structFields } from './values.js';

function expectString(fn: string, value: unknown, position: number): string {
  if (typeof value === 'string') return value;
  throw new TypeError(`${fn}: argument ${position} has type ${goTypeName(value)}; expected string`);
}

function expectArgs(fn: string, args: readonly unknown[], count: number): void {
  if (args.length !== count) throw new TypeError(`wrong number of args for ${fn}: want ${count} got ${args.length}`);
}

/** `split sep str`: Go strings.Split(str, sep); an empty separator splits into characters. */
export function split(...args: unknown[]): string[] {
  expectArgs('split', args, 2);
  const sep = expectString('split', args[0], 1);
  const str = expectString('split', args[1], 2);
  // The list costs a slot and a string header per element besides its characters: splitting 10 MB into
  // characters builds 10 million strings, and twenty such lists exhausted the heap within the byte limit.
  chargeOutput(str.length + LIST_ELEMENT_BYTES * (sep === '' ? str.length : occurrences(str, sep) + 1));
  if (sep === '') return [...str];
  return str.split(sep);
}

function occurrences(str: string, sep: string): number {
  let count = 0;
  for (let at = str.indexOf(sep); at !== -1; at = str.indexOf(sep, at + sep.length)) count++;
  return count;
}

/** `join sep list`: elements formatted with %v; a value that is not a list counts as a list of one. */
export function join(...args: unknown[]): string {
  expectArgs('join', args, 2);
  const sep = expectString('join', args[0], 1);
  const value = args[1];
  const items = Array.isArray(value) ? value : [value];
  // The separator repeats once per element: `join (long) (split "" long)` is quadratic, so it is paid for first.
  if (items.length > 1) chargeOutput(sep.length * (items.length - 1));
  return items.map((item) => formatValue(item ?? null)).join(sep);
}

const JSON_HTML_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Go's encoder (as the original was built) writes \b and \f as \u0008 and \u000c. */
function goEscape(pair: string): string {
  if (pair === '\\b') return '\\u0008';
  if (pair === '\\f') return '\\u000c';
  return pair;
}

function jsonString(s: string): string {
  return JSON.stringify(s)
    .replace(/\\./g, goEscape)
    .replace(/[<>&\u2028\u2029]/g, (c) => JSON_HTML_ESCAPES[c]!);
}

function marshal(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'null';
    case 'string':
      return jsonString(value);
    case 'boolean':
      return String(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${formatValue(value)}`);
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'function':
      throw new Error(`json: unsupported type: ${goTypeName(value)}`);
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(marshal).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = isPlainObject(value) ? sortedKeys(record) : structFields(record);
  return `{${keys.map((k) => `${jsonString(k)}:${marshal(record[k])}`).join(',')}}`;
}

/** `jsonify v`: Go json.Marshal (map keys sorted, no spaces, `<>&` escaped as \u003c-style). */
export function jsonify(...args: unknown[]): string {
  expectArgs('jsonify', args, 1);
  return marshal(args[0]);
}

/**
 * `env NAME`: the process environment value, or "" when unset. Unlike the original, which split
 * each `NAME=value` entry on every `=`, values that contain `=` come back whole.
 */
export function env(...args: unknown[]): string {
  expectArgs('env', args, 1);
  const name = expectString('env', args[0], 1);
  return process.env[name] ?? '';
}

/** What `platform` returns; field order is the original's struct order, which `%v` prints. */
export class Platform {
  Build = '';
  OS = '';
  LinuxDistribution = '';
  LinuxLSBLike: string[] = [];
  Name = '';
  PrettyName = '';
  Version = '';
}

/** Reads the values of an os-release file (shell-style `KEY=value`, optionally quoted). */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([$"\\`])/g, '$1');
    }
    out.set(key, value);
  }
  return out;
}

const GOOS: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

/** Builds the platform value from an os-release text (null when no file could be read). */
export function platformFromOsRelease(text: string | null, os: string = GOOS[process.platform] ?? process.platform): Platform {
  const p = new Platform();
  p.OS = os;
  if (text === null) return p;
  const v = parseOsRelease(text);
  p.Name = v.get('NAME') ?? '';
  p.PrettyName = v.get('PRETTY_NAME') ?? '';
  p.LinuxDistribution = v.get('ID') ?? '';
  p.Version = v.get('VERSION_ID') ?? '';
  p.Build = v.get('BUILD_ID') ?? '';
  const like = v.get('ID_LIKE');
  p.LinuxLSBLike = like === undefined || like === '' ? [] : like.split(/\s+/);
  return p;
}

/** The os-release files in the order systemd documents: /etc first, then the vendor copy. */
export const OS_RELEASE_PATHS: readonly string[] = ['/etc/os-release', '/usr/lib/os-release'];

function readFirst(paths: readonly string[]): string | null {
  for (const path of paths) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      // try the next location
    }
  }
  return null;
}

let cachedPlatform: Platform | undefined;

/** `platform`: the OS and the distribution facts from os-release, read once per process. */
export function platform(...args: unknown[]): Platform {
  expectArgs('platform', args, 0);
  cachedPlatform ??= platformFromOsRelease(process.platform === 'linux' ? readFirst(OS_RELEASE_PATHS) : null);
  // Callers get a copy so that no template or resource can alter the cached facts.
  return Object.assign(new Platform(), cachedPlatform, { LinuxLSBLike: [...cachedPlatform.LinuxLSBLike] });
}

/** The graph-free Converge functions, ready to merge into a node's FuncMap. */
export const CONVERGE_FUNCS: FuncMap = Object.freeze({ split, join, jsonify, env, platform });

/** Every function name Converge templates may use, the graph-bound ones included (for parsing). */
export const CONVERGE_FUNC_NAMES: readonly string[] = Object.freeze([
  'param',
  'paramList',
  'paramMap',
  'lookup',
  'split',
  'join',
  'jsonify',
  'env',
  'platform',
]);
