import test from 'ava';
import { DEFAULT_MAX_TASK_OUTPUT_KIB } from '../../src/defaults.js';
import { DEFAULT_RUN_LIMITS } from '../../src/graph/limits.js';
import { SERVER_LIMIT_FLAGS, limitsFromFlags } from '../../src/cli/server-limit-flags.js';
import type { FlagValue } from '../../src/cli/args.js';

function defaults(): Record<string, FlagValue> {
  return Object.fromEntries(SERVER_LIMIT_FLAGS.map((flag) => [flag.name, flag.default as FlagValue]));
}

test('limitsFromFlags() - the flags\' defaults are the run limits\' defaults', (t) => {
  t.deepEqual(limitsFromFlags(defaults()), DEFAULT_RUN_LIMITS);
});

test('limitsFromFlags() - --max-task-output is in KiB and at least 1', (t) => {
  const flag = SERVER_LIMIT_FLAGS.find((f) => f.name === 'max-task-output');
  t.like(flag, { type: 'int', default: DEFAULT_MAX_TASK_OUTPUT_KIB, valueName: 'KiB' });
  t.is(limitsFromFlags({ ...defaults(), 'max-task-output': 16 }).taskOutputBytes, 16 * 1024);
  t.throws(() => limitsFromFlags({ ...defaults(), 'max-task-output': 0 }), { code: 'CNV_ERR_CLI_USAGE', message: /--max-task-output must be an integer >= 1/ });
});
