/**
 * The config file (`--config`, default /etc/converge/config.yaml), read with the `yaml` package so
 * every error can name the file, line and column. Its keys are flag names. Top-level keys apply to
 * every command that has the flag; a section named after a command (`server:`, `plan:`, …) applies to
 * that command only and wins over the top level, so one file can hold the server's listen address and
 * the clients' target address, which share the flag `rpc-addr`:
 *
 *   log-format: json
 *   rpc-token: s3cret
 *   server:
 *     rpc-addr: 0.0.0.0:4774
 *     parallelism: 32
 *
 * Precedence (args.ts): flags, then CONVERGE_* variables, then this file, then defaults. A key that is
 * no flag is an error, never ignored: a typo would otherwise silently leave a setting at its default.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { ConvergeError } from '../errors.js';
import type { FlagSpec } from './args.js';

export const DEFAULT_CONFIG_FILE = '/etc/converge/config.yaml';

/** Flags that never come from the file: per-run input and the file's own name. */
const NOT_FROM_FILE = new Set(['config', 'help', 'params', 'paramsJSON']);

/** A value from the file, in the form the flag parser takes, and where it was written. */
export interface FileValue {
  readonly value: string | boolean | number | readonly string[];
  /** `file:line:column` of the key. */
  readonly where: string;
}

export interface CommandFlags {
  readonly name: string;
  readonly flags: readonly FlagSpec[];
}

/** The file named by `--config` / `--config=` in `argv` (before `--`), else CONVERGE_CONFIG, else the default. */
export function locateConfig(argv: readonly string[], env: NodeJS.ProcessEnv): { file: string; explicit: boolean } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--config' && i + 1 < argv.length) return { file: argv[i + 1]!, explicit: true };
    if (arg.startsWith('--config=')) return { file: arg.slice('--config='.length), explicit: true };
  }
  const fromEnv = env['CONVERGE_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return { file: fromEnv, explicit: true };
  return { file: DEFAULT_CONFIG_FILE, explicit: false };
}

function configError(code: 'CNV_ERR_CONFIG_READ' | 'CNV_ERR_CONFIG_PARSE' | 'CNV_ERR_CONFIG_UNKNOWN_KEY' | 'CNV_ERR_CONFIG_INVALID', where: string, message: string): ConvergeError {
  return new ConvergeError(code, `${where}: ${message}`, { where });
}

/** Reads the file; undefined when it is the default and absent. */
function readConfigText(file: string, explicit: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return undefined;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code);
    throw configError('CNV_ERR_CONFIG_READ', file, `cannot read the config file (${why})`);
  }
}

/** The scalar text of a flag value from YAML, checked against the flag's type. */
function convert(spec: FlagSpec, node: unknown, where: string): FileValue['value'] {
  const key = spec.name;
  if (spec.type === 'list') {
    if (isSeq(node)) {
      return node.items.map((item) => {
        if (!isScalar(item) || typeof item.value === 'object') throw configError('CNV_ERR_CONFIG_INVALID', where, `${key}: each entry must be a plain value`);
        return String(item.value);
      });
    }
  }
  if (!isScalar(node)) throw configError('CNV_ERR_CONFIG_INVALID', where, `${key}: expected a ${spec.type === 'list' ? 'list or a value' : 'plain value'}, got a ${isMap(node) ? 'map' : 'list'}`);
  const value = node.value;
  if (value === null) throw configError('CNV_ERR_CONFIG_INVALID', where, `${key}: has no value`);
  switch (spec.type) {
    case 'bool':
      if (typeof value !== 'boolean') throw configError('CNV_ERR_CONFIG_INVALID', where, `${key}: expected true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw configError('CNV_ERR_CONFIG_INVALID', where, `${key}: expected a whole number, got ${JSON.stringify(value)}`);
      return value;
    case 'list':
      return [String(value)];
    case 'string':
      if (typeof value === 'object') throw configError('CNV_ERR_CONFIG_INVALID', where, `${key}: expected a plain value`);
      return String(value);
  }
}

interface Located {
  readonly text: string;
  readonly where: string;
  readonly value: unknown;
}

/** The pairs of a YAML map, each key as text with its position; a non-string key is an error. */
function pairs(map: { items: Pair[] }, file: string, lines: LineCounter): Located[] {
  return map.items.map((pair) => {
    const key = pair.key as Node | null;
    const offset = key?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    const where = `${file}:${pos.line}:${pos.col}`;
    if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
      throw configError('CNV_ERR_CONFIG_INVALID', where, 'keys must be flag names');
    }
    return { text: String(key.value), where, value: pair.value };
  });
}

/**
 * The values the file sets for `command`, keyed by flag name. `commands` is every command, for telling a
 * key that belongs to another command (fine at the top level) from one that belongs to none (an error).
 */
export function readConfigFile(
  file: string,
  explicit: boolean,
  command: CommandFlags,
  commands: readonly CommandFlags[],
  globals: readonly FlagSpec[],
): Map<string, FileValue> {
  const values = new Map<string, FileValue>();
  const text = readConfigText(file, explicit);
  if (text === undefined) return values;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lines.linePos(first.pos[0]);
    const where = `${file}:${pos.line}:${pos.col}`;
    throw configError('CNV_ERR_CONFIG_PARSE', where, `not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  if (doc.contents === null) return values;
  if (!isMap(doc.contents)) throw configError('CNV_ERR_CONFIG_INVALID', `${file}:1:1`, 'the file must be a map of flag names to values');

  const fileFlags = (specs: readonly FlagSpec[]): Map<string, FlagSpec> =>
    new Map(specs.filter((s) => !NOT_FROM_FILE.has(s.name) && s.env !== false).map((s) => [s.name, s]));
  const anyCommand = fileFlags([...globals, ...commands.flatMap((c) => c.flags)]);
  const mine = fileFlags([...globals, ...command.flags]);
  const sections = new Map(commands.map((c) => [c.name, c]));
  const fromSection: Located[] = [];

  for (const entry of pairs(doc.contents, file, lines)) {
    const section = sections.get(entry.text);
    if (section !== undefined) {
      if (!isMap(entry.value)) throw configError('CNV_ERR_CONFIG_INVALID', entry.where, `${entry.text}: a command section must be a map of flag names to values`);
      const own = fileFlags([...globals, ...section.flags]);
      for (const inner of pairs(entry.value, file, lines)) {
        if (!own.has(inner.text)) throw unknownKey(inner, file, `of "converge ${section.name}"`);
        if (section === command) fromSection.push(inner);
      }
      continue;
    }
    if (!anyCommand.has(entry.text)) throw unknownKey(entry, file, 'of any command');
    const spec = mine.get(entry.text);
    if (spec !== undefined) values.set(spec.name, { value: convert(spec, entry.value, entry.where), where: entry.where });
  }
  for (const entry of fromSection) {
    const spec = mine.get(entry.text)!;
    values.set(spec.name, { value: convert(spec, entry.value, entry.where), where: entry.where });
  }
  return values;
}

function unknownKey(entry: Located, file: string, scope: string): ConvergeError {
  const hint = NOT_FROM_FILE.has(entry.text) ? ` (${entry.text} cannot be set in a config file)` : '';
  return new ConvergeError('CNV_ERR_CONFIG_UNKNOWN_KEY', `${entry.where}: unknown key "${entry.text}": not a flag ${scope}${hint}`, {
    key: entry.text,
    file,
    where: entry.where,
  });
}
