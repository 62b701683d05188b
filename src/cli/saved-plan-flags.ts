/**
 * Flags for saved plans: where a server keeps its plan key and how old a plan it still applies
 * (`converge server`, and the in-process server of `--local`), and `plan -out FILE`.
 */
import type { PlanSignerOptions } from '../frontdoor/plan-signing.js';
import type { FlagSpec, FlagValue } from './args.js';
import { parseDurationMs } from './server-guard-flags.js';

export const PLAN_SERVER_FLAGS: readonly FlagSpec[] = [
  {
    name: 'state-dir',
    type: 'string',
    valueName: 'dir',
    description: 'directory of the server\'s plan key, which signs saved plans (default $XDG_STATE_HOME/converge or ~/.local/state/converge)',
  },
  { name: 'plan-max-age', type: 'string', default: '1h', valueName: 'duration', description: 'saved plans older than this are refused' },
];

export const PLAN_OUT_FLAG: FlagSpec = {
  name: 'out',
  type: 'string',
  singleDash: true,
  valueName: 'file',
  description: 'also write the plan, signed by the server, to this file for `converge apply FILE` (one module only)',
};

/** The server's saved-plan options from the flags. */
export function planOptionsFromFlags(flags: Readonly<Record<string, FlagValue>>, cwd: string): PlanSignerOptions {
  const stateDir = typeof flags['state-dir'] === 'string' ? flags['state-dir'] : '';
  const maxAge = typeof flags['plan-max-age'] === 'string' ? flags['plan-max-age'] : '1h';
  return {
    ...(stateDir !== '' ? { stateDir: stateDir.startsWith('/') ? stateDir : `${cwd}/${stateDir}` } : {}),
    maxAgeMs: parseDurationMs(maxAge, 'plan-max-age'),
  };
}
