/**
 * A small, dependency-free flag parser in the style of cobra/pflag, which the original used: long flags
 * (`--name value`, `--name=value`), short flags (`-p k=v`, `-pk=v`, `-n`), booleans (`--flag`,
 * `--flag=false`), repeatable lists, `--` to end flags, and flags anywhere among the arguments. Values
 * not given on the command line come from `CONVERGE_<FLAG_NAME>` when the flag allows it, then from the
 * config file (config-file.ts), then the default.
 */
import { ConvergeError } from '../errors.js';

export type FlagType = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: FlagType;
  readonly description: string;
  readonly default?: string | boolean | number;
  /** Name of the value in help text. */
  readonly valueName?: string;
  /** Read `CONVERGE_<NAME>` when the flag is absent. @default true */
  readonly env?: boolean;
  /** Split each value on commas, as pflag's StringSlice does (lists only). @default false */
  readonly commaSplit?: boolean;
  /** Also accept `-name` with one dash (Terraform's `-out FILE`), which would otherwise read as short flags. @default false */
  readonly singleDash?: boolean;
}

export type FlagValue = string | boolean | number | string[];

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, FlagValue>>;
  readonly positionals: readonly string[];
  /** Names given explicitly on the command line, through the environment or in the config file. */
  readonly explicit: ReadonlySet<string>;
}

/** A value from the config file, already of its flag's type (config-file.ts checks it). */
export interface PresetValue {
  readonly value: string | boolean | number | readonly string[];
}

/** The environment variable for a flag: `CONVERGE_` + the name upper-cased with dashes as underscores. */
export function envName(flag: string): string {
  return 'CONVERGE_' + flag.toUpperCase().replaceAll('-', '_');
}

export function usageError(message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_CLI_USAGE', message);
}

const TRUE_WORDS = new Set(['1', 't', 'true', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'n', 'no', 'off', '']);

export function parseBool(text: string, what: string): boolean {
  const lower = text.trim().toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  throw usageError(`invalid boolean "${text}" for ${what}`);
}

function parseInt10(text: string, what: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw usageError(`invalid number "${text}" for ${what}`);
  return Number.parseInt(text, 10);
}

/**
 * Parses `argv` against `specs`. `env` is consulted only for flags absent from the command line.
 * Throws ConvergeError CNV_ERR_CLI_USAGE for unknown flags, missing values and bad numbers or booleans.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  env: NodeJS.ProcessEnv = {},
  fromFile: ReadonlyMap<string, PresetValue> = new Map(),
): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short!, s]));
  const flags: Record<string, FlagValue> = {};
  const explicit = new Set<string>();
  const positionals: string[] = [];

  const assign = (spec: FlagSpec, value: string, shown: string): void => assignFlag(flags, explicit, spec, value, shown);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw usageError(`unknown flag: --${name}`);
      if (eq >= 0) assign(spec, arg.slice(eq + 1), `--${name}`);
      else if (spec.type === 'bool') assign(spec, 'true', `--${name}`);
      else if (i + 1 < argv.length) assign(spec, argv[++i]!, `--${name}`);
      else throw usageError(`flag needs an argument: --${name}`);
    } else if (singleDashSpec(arg, specs) !== undefined) {
      const spec = singleDashSpec(arg, specs)!;
      const eq = arg.indexOf('=');
      if (eq >= 0) assign(spec, arg.slice(eq + 1), `-${spec.name}`);
      else if (spec.type === 'bool') assign(spec, 'true', `-${spec.name}`);
      else if (i + 1 < argv.length) assign(spec, argv[++i]!, `-${spec.name}`);
      else throw usageError(`flag needs an argument: -${spec.name}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short flags: booleans may be combined (-nh); a valued flag takes the rest or the next arg.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const spec = byShort.get(letter);
        if (!spec) throw usageError(`unknown shorthand flag: '${letter}' in ${arg}`);
        if (spec.type === 'bool') {
          if (arg[j + 1] === '=') {
            assign(spec, arg.slice(j + 2), `-${letter}`);
            break;
          }
          assign(spec, 'true', `-${letter}`);
          continue;
        }
        let rest = arg.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '') assign(spec, rest, `-${letter}`);
        else if (i + 1 < argv.length) assign(spec, argv[++i]!, `-${letter}`);
        else throw usageError(`flag needs an argument: '${letter}' in -${letter}`);
        break;
      }
    } else {
      positionals.push(arg);
    }
  }

  fillUnset(flags, explicit, specs, env, fromFile);
  return { flags, positionals, explicit };
}

/** Sets one flag from its text; a list flag accumulates. `shown` names where the value came from, for errors. */
function assignFlag(flags: Record<string, FlagValue>, explicit: Set<string>, spec: FlagSpec, value: string, shown: string): void {
  explicit.add(spec.name);
  switch (spec.type) {
    case 'bool':
      flags[spec.name] = parseBool(value, shown);
      break;
    case 'int':
      flags[spec.name] = parseInt10(value, shown);
      break;
    case 'string':
      flags[spec.name] = value;
      break;
    case 'list': {
      const previous = (flags[spec.name] as string[] | undefined) ?? [];
      const parts = spec.commaSplit ? splitOnCommas(value) : [value];
      flags[spec.name] = [...previous, ...parts];
      break;
    }
  }
}

/** Flags the command line did not set: from `CONVERGE_<NAME>`, then the config file, then the default. */
function fillUnset(
  flags: Record<string, FlagValue>,
  explicit: Set<string>,
  specs: readonly FlagSpec[],
  env: NodeJS.ProcessEnv,
  fromFile: ReadonlyMap<string, PresetValue>,
): void {
  for (const spec of specs) {
    if (explicit.has(spec.name)) continue;
    const fromEnv = spec.env === false ? undefined : env[envName(spec.name)];
    if (fromEnv !== undefined && fromEnv !== '') {
      assignFlag(flags, explicit, spec, fromEnv, envName(spec.name));
      continue;
    }
    const preset = fromFile.get(spec.name);
    if (preset !== undefined) {
      explicit.add(spec.name);
      flags[spec.name] = Array.isArray(preset.value) ? [...(preset.value as readonly string[])] : (preset.value as string | boolean | number);
      continue;
    }
    if (spec.type === 'list') flags[spec.name] = [];
    else if (spec.default !== undefined) flags[spec.name] = spec.default;
    else flags[spec.name] = spec.type === 'bool' ? false : spec.type === 'int' ? 0 : '';
  }
}

/** The flag that `-name` or `-name=value` names with one dash, when that flag allows it. */
function singleDashSpec(arg: string, specs: readonly FlagSpec[]): FlagSpec | undefined {
  if (!arg.startsWith('-') || arg.startsWith('--')) return undefined;
  const eq = arg.indexOf('=');
  const name = arg.slice(1, eq < 0 ? undefined : eq);
  return specs.find((s) => s.singleDash === true && s.name === name);
}

/** Splits a value on commas with CSV quoting (`"a,b",c` gives two entries), as pflag's StringSlice does. */
export function splitOnCommas(value: string): string[] {
  if (value === '') return [];
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      if (ch === '"' && value[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** Help lines for a list of flags, aligned. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => {
    const short = s.short ? `-${s.short}, ` : '    ';
    const value = s.type === 'bool' ? '' : ` ${s.valueName ?? (s.type === 'int' ? 'int' : 'string')}`;
    return `  ${short}--${s.name}${value}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return specs
    .map((s, i) => {
      const shownDefault =
        s.default !== undefined && s.default !== '' && s.default !== false ? ` (default ${JSON.stringify(s.default)})` : '';
      return left[i]!.padEnd(width) + s.description + shownDefault;
    })
    .join('\n');
}
