/**
 * `task` and `healthcheck.task` (one type in the original): run `check`; when it exits non-zero,
 * `apply` makes the change.
 */
import { ConvergeError, positionedError } from '../../errors.js';
import { syntaxProblem, type ShellCommand } from './shell.js';
import { ShellTask, type ShellScripts } from './shell-task.js';
import type { DecodedFields, FieldSpec, PrepareContext, ResourceDefinition, Task } from '../types.js';

/** Fields every script-running resource shares. */
export const INTERPRETER_FIELDS: readonly FieldSpec[] = [
  {
    name: 'interpreter',
    type: 'string',
    doc: 'The interpreter scripts are fed to on stdin; /bin/sh when not set.',
    default: '',
  },
  {
    name: 'check_flags',
    type: 'stringList',
    doc: 'Flags that make the interpreter only check syntax (-n for /bin/sh); needs `interpreter`.',
    default: [],
  },
  { name: 'exec_flags', type: 'stringList', doc: 'Flags passed to the interpreter when running scripts.', default: [] },
];

/** `timeout`, `dir` and `env`, shared by the script-running resources. */
export const RUN_FIELDS: readonly FieldSpec[] = [
  { name: 'timeout', type: 'duration', doc: 'How long a script may run before it is killed (seconds or 1m30s).' },
  { name: 'dir', type: 'string', doc: 'The working directory scripts run in.', default: '' },
  { name: 'env', type: 'stringMap', doc: 'Environment variables set for the scripts, over the process environment.', default: {} },
];

/** The command and scripts for a shell resource, after the prepare-time syntax check of `checkScript`. */
export async function prepareShell(
  fields: DecodedFields,
  ctx: PrepareContext,
  checkScript: string,
): Promise<{ command: ShellCommand; scripts: Omit<ShellScripts, 'check' | 'apply'> }> {
  const interpreter = (fields['interpreter'] as string | undefined) ?? '';
  const checkFlags = (fields['check_flags'] as string[] | undefined) ?? [];
  const problem = await syntaxProblem(interpreter, checkFlags, checkScript, ctx.cwd);
  if (problem !== undefined) {
    const details = { id: ctx.id, field: 'check' };
    throw ctx.pos === undefined
      ? new ConvergeError('CNV_ERR_FIELD_INVALID', problem, details)
      : positionedError('CNV_ERR_FIELD_INVALID', ctx.pos, problem, details);
  }
  const dir = (fields['dir'] as string | undefined) ?? '';
  const env = (fields['env'] as Record<string, string> | undefined) ?? {};
  return {
    command: {
      interpreter,
      flags: (fields['exec_flags'] as string[] | undefined) ?? [],
      timeoutMs: fields['timeout'] as number | undefined,
      dir,
      cwd: ctx.cwd,
      env,
    },
    scripts: { dir, env },
  };
}

const TASK_EXPORTS = [
  'check',
  'apply',
  'dir',
  'env',
  'status.exitstatus',
  'status.stdout',
  'status.stderr',
  'status.stdin',
  'checkstatus',
  'healthstatus',
];

function shellDefinition(kind: string, doc: string): ResourceDefinition {
  return {
    kind,
    doc,
    fields: [
      ...INTERPRETER_FIELDS,
      {
        name: 'check',
        type: 'string',
        doc: 'Script that exits 0 when nothing needs to change, non-zero otherwise.',
        nonempty: true,
        default: '',
      },
      {
        name: 'apply',
        type: 'string',
        doc: 'Script that makes the change; runs only when check reported changes.',
        nonempty: true,
        default: '',
      },
      ...RUN_FIELDS,
    ],
    exports: TASK_EXPORTS,
    async prepare(fields: DecodedFields, ctx: PrepareContext): Promise<Task> {
      const check = fields['check'] as string;
      const { command, scripts } = await prepareShell(fields, ctx, check);
      return new ShellTask(command, { ...scripts, check, apply: fields['apply'] as string });
    },
  };
}

export const task: ResourceDefinition = shellDefinition(
  'task',
  'Runs arbitrary scripts: `check` decides whether `apply` must run. Health: check exit 0 is healthy, 1 a warning, anything else an error.',
);

export const healthcheckTask: ResourceDefinition = shellDefinition(
  'healthcheck.task',
  'A task used for health checks: check exit 0 is healthy, 1 a warning, anything else an error.',
);
