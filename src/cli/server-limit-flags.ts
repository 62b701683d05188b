/**
 * `converge server` flags for what one run may use: template steps and output, nesting, modules,
 * nodes, wall time per node and per run, and the task output kept. The names, units and defaults come from
 * src/graph/limits.ts and src/defaults.ts, so the help text, the error messages and the docs agree.
 */
import { formatGoDuration } from '../go/duration.js';
import { DEFAULT_RUN_LIMITS, LIMITS, type LimitName, type RunLimits } from '../graph/limits.js';
import { usageError, type FlagSpec, type FlagValue } from './args.js';
import { parseDurationMs } from './server-guard-flags.js';

const DESCRIPTIONS: Readonly<Record<LimitName, string>> = {
  templateSteps: 'template steps (actions, commands, range iterations) one render may take',
  templateOutputBytes: 'bytes one render may produce, its output and the strings its functions build',
  nesting: 'nesting of HCL objects and lists, and of template blocks and parentheses',
  moduleDepth: 'modules nested inside each other below the top module',
  modules: 'module files one run may load',
  moduleBytes: 'size of one module file, local or fetched',
  nodes: 'nodes in one run\'s graph',
  nodeTimeoutMs: 'time one check or apply of a node may take (0: no limit)',
  runTimeoutMs: 'time one run may take, load to last node (0: no limit)',
  taskOutputBytes: 'output kept of each script\'s stdout and of its stderr, half from the start and half from the end',
};

const MIB = 1024 * 1024;
const KIB = 1024;

function flagName(name: LimitName): string {
  return LIMITS[name].flag.slice(2);
}

function flagDefault(name: LimitName): string | number {
  const value = DEFAULT_RUN_LIMITS[name];
  switch (LIMITS[name].unit) {
    case 'KiB':
      return value / KIB;
    case 'MiB':
      return value / MIB;
    case 'duration':
      return formatGoDuration(value * 1e6);
    default:
      return value;
  }
}

export const SERVER_LIMIT_FLAGS: readonly FlagSpec[] = (Object.keys(LIMITS) as LimitName[]).map((name) => {
  const unit = LIMITS[name].unit;
  return {
    name: flagName(name),
    type: unit === 'duration' ? 'string' : 'int',
    default: flagDefault(name),
    valueName: unit === 'duration' ? 'duration' : unit === 'count' ? 'n' : unit,
    description: DESCRIPTIONS[name],
  } satisfies FlagSpec;
});

function read(flags: Readonly<Record<string, FlagValue>>, name: LimitName): number {
  const info = LIMITS[name];
  const flag = flagName(name);
  const raw = flags[flag];
  if (info.unit === 'duration') return parseDurationMs(String(raw), flag);
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < info.min) {
    throw usageError(`--${flag} must be an integer >= ${info.min}, got ${String(raw)}`);
  }
  return info.unit === 'MiB' ? raw * MIB : info.unit === 'KiB' ? raw * KIB : raw;
}

/** The run limits from the parsed flags. */
export function limitsFromFlags(flags: Readonly<Record<string, FlagValue>>): RunLimits {
  const out: Partial<Record<LimitName, number>> = {};
  for (const name of Object.keys(LIMITS) as LimitName[]) out[name] = read(flags, name);
  return out as RunLimits;
}
