/**
 * `systemd.unit.state`: keeps a loaded unit running or stopped, restarts or reloads it, sends it a
 * signal, and (beyond the original, its issue #598) enables or disables its unit file. Everything goes
 * to systemd's manager over D-Bus (bus.ts); nothing parses systemctl's output.
 *
 * Restart, reload and signal are actions, not states: every plan shows them as changes, as the
 * original did. The task remembers that it applied them, so the engine's check after apply does not
 * see them as still to do.
 */
import { ConvergeError } from '../../errors.js';
import { StatusBuilder } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { withSystemBus, type SystemBus } from './bus.js';
import { signalByName, signalByNumber, type Signal } from './signals.js';
import { failureReason, queryUnit, type UnitInfo } from './unit-info.js';

type RunState = 'running' | 'stopped' | 'restarted' | '';

interface Wanted {
  readonly unit: string;
  readonly state: RunState;
  readonly reload: boolean;
  readonly signal: Signal | undefined;
  readonly enabled: boolean | undefined;
}

/** UnitFileStates that count as enabled: a static unit cannot be enabled and needs not be. */
const ENABLED_STATES = new Set(['enabled', 'enabled-runtime', 'static', 'indirect', 'generated', 'alias']);

/** Whether the run state wants a start or a stop job; messages and diffs go to `status`. */
function wantsStart(info: UnitInfo, status: StatusBuilder): boolean {
  switch (info.activeState) {
    case 'active':
      status.message('already running');
      return false;
    // A start job for a unit on its way up joins the job under way, and waits for it with it.
    case 'reloading':
      status.message('unit is reloading, will re-check status during apply').raise(StatusLevel.MayChange);
      return true;
    case 'activating':
      status.message('unit is already activating, will re-check status during apply').raise(StatusLevel.MayChange);
      return true;
    case 'failed':
      status
        .message('unit has failed; will attempt to restart')
        .message(`unit previously failed, the message was: ${failureReason(info)}`)
        .diff('state', 'failed', 'active');
      return true;
    default:
      // inactive, deactivating
      status.diff('state', info.activeState, 'active');
      return true;
  }
}

function wantsStop(info: UnitInfo, status: StatusBuilder): boolean {
  switch (info.activeState) {
    case 'inactive':
      status.message('unit is already inactive');
      return false;
    case 'failed':
      status
        .message('unit is not running because it has failed; will not restart')
        .message(`unit previously failed, the message was: ${failureReason(info)}`);
      return false;
    case 'deactivating':
      status.message('unit is deactivating, will re-check status during apply').raise(StatusLevel.MayChange);
      return true;
    default:
      // active, reloading, activating
      status.diff('state', info.activeState, 'inactive');
      return true;
  }
}

/** What `enabled` asks of the unit file: 'enable', 'disable', or nothing. */
function enablement(wanted: Wanted, info: UnitInfo, status: StatusBuilder): 'enable' | 'disable' | undefined {
  if (wanted.enabled === undefined) return undefined;
  const current = info.unitFileState;
  if (wanted.enabled) {
    if (ENABLED_STATES.has(current)) {
      if (current === 'static') status.message('unit is static (no [Install] section): it cannot be enabled and needs not be');
      return undefined;
    }
    if (current.startsWith('masked')) {
      status.fail(StatusLevel.CantChange, `unit ${info.id} is ${current}: unmask it before it can be enabled`);
      return undefined;
    }
    if (current === '' || current === 'bad' || current === 'invalid') {
      status.fail(StatusLevel.CantChange, `unit ${info.id} cannot be enabled: its unit file state is ${current || 'unknown'}`);
      return undefined;
    }
    status.diff('enabled', current, 'enabled');
    return 'enable';
  }
  if (current === 'enabled' || current === 'enabled-runtime' || current === 'linked' || current === 'linked-runtime') {
    status.diff('enabled', current, 'disabled');
    return 'disable';
  }
  if (current === 'static') status.message('unit is static (no [Install] section): there is nothing to disable');
  return undefined;
}

interface Plan {
  readonly status: StatusBuilder;
  readonly enable: 'enable' | 'disable' | undefined;
  readonly startStop: 'StartUnit' | 'StopUnit' | 'RestartUnit' | undefined;
  readonly reload: boolean;
  readonly signal: Signal | undefined;
}

function planFor(wanted: Wanted, info: UnitInfo, actionsDone: boolean): Plan {
  const status = new StatusBuilder();
  const enable = enablement(wanted, info, status);
  const signal = actionsDone ? undefined : wanted.signal;
  const reload = !actionsDone && wanted.reload;
  if (signal !== undefined) {
    status.raise(StatusLevel.WillChange).message(`Sending signal \`${signal.name}\` to unit`);
  }
  if (reload) {
    status.raise(StatusLevel.WillChange).message('Reloading unit configuration').diff('state', info.activeState, 'reloaded');
  }
  let startStop: Plan['startStop'];
  if (wanted.state === 'restarted') {
    if (!actionsDone) {
      status.raise(StatusLevel.WillChange).message('Restarting unit').diff('state', info.activeState, 'restarted');
      startStop = 'RestartUnit';
    }
  } else if (wanted.state === 'running') {
    if (wantsStart(info, status)) startStop = 'StartUnit';
  } else if (wanted.state === 'stopped') {
    if (wantsStop(info, status)) startStop = 'StopUnit';
  }
  return { status, enable, startStop, reload, signal };
}

const JOB_VERBS: Readonly<Record<string, string>> = {
  StartUnit: 'starting',
  StopUnit: 'stopping',
  RestartUnit: 'restarting',
  ReloadUnit: 'reloading',
};

/** Runs a job and fails unless systemd reports it done (or skipped: nothing was needed). */
async function runJob(bus: SystemBus, member: string, unit: string, signal: AbortSignal): Promise<void> {
  const result = await bus.runJob(member, unit, signal);
  if (result === 'done' || result === 'skipped') return;
  let reason = '';
  if (result === 'failed') {
    // The unit's own result says why (exit-code, timeout, ...).
    const after = await queryUnit(bus, unit).catch(() => undefined);
    if (after !== undefined) reason = `: ${failureReason(after)}`;
  }
  throw new ConvergeError(
    'CNV_ERR_SYSTEMD_DBUS',
    `unit ${unit}: ${member}: the job ${result === 'timeout' ? 'timed out' : `ended ${result}`} while ${JOB_VERBS[member] ?? member}${reason}`,
    { unit, jobResult: result },
  );
}

class UnitStateTask implements Task {
  readonly #wanted: Wanted;
  #info: UnitInfo | undefined;
  /** Set once apply has sent the signal, reload and restart: they are not due again in this run. */
  #actionsDone = false;

  constructor(wanted: Wanted) {
    this.#wanted = wanted;
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const info = await withSystemBus((bus) => queryUnit(bus, this.#wanted.unit));
    this.#info = info;
    return planFor(this.#wanted, info, this.#actionsDone).status.build();
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    return withSystemBus(async (bus) => {
      const info = await queryUnit(bus, this.#wanted.unit);
      const plan = planFor(this.#wanted, info, this.#actionsDone);
      const { status } = plan;
      const unit = info.id;
      if (plan.enable === 'enable') {
        // (names, runtime, force): persistent, and never replacing another unit's symlinks.
        await bus.manager('EnableUnitFiles', 'asbb', [[unit], false, false], `unit ${unit}`);
        await bus.manager('Reload', '', [], `unit ${unit}`);
        status.message('enabled unit');
      } else if (plan.enable === 'disable') {
        await bus.manager('DisableUnitFiles', 'asb', [[unit], info.unitFileState.endsWith('-runtime')], `unit ${unit}`);
        await bus.manager('Reload', '', [], `unit ${unit}`);
        status.message('disabled unit');
      }
      if (plan.signal !== undefined) {
        await bus.manager('KillUnit', 'ssi', [unit, 'all', plan.signal.number], `unit ${unit}`);
      }
      if (plan.reload) await runJob(bus, 'ReloadUnit', unit, ctx.signal);
      if (plan.startStop !== undefined) {
        await runJob(bus, plan.startStop, unit, ctx.signal);
        status.message(`${JOB_VERBS[plan.startStop]} unit: done`);
      }
      this.#actionsDone = true;
      this.#info = await queryUnit(bus, unit);
      return status.build();
    });
  }

  exported(): Readonly<Record<string, unknown>> {
    const wanted = this.#wanted;
    const info = this.#info;
    const fields: Record<string, unknown> = {
      unit: wanted.unit,
      state: wanted.state,
      reload: wanted.reload,
      signal_name: wanted.signal?.name ?? '',
      signal_number: wanted.signal?.number ?? 0,
      enabled: wanted.enabled ?? '',
    };
    if (info === undefined) return fields;
    const typeName = info.type;
    return {
      ...fields,
      path: String(info.properties['FragmentPath'] ?? ''),
      description: String(info.properties['Description'] ?? ''),
      activestate: info.activeState,
      loadstate: info.loadState,
      unitfilestate: info.unitFileState,
      type: typeName,
      typestr: typeName.charAt(0).toUpperCase() + typeName.slice(1),
      status: info.activeState,
      global_properties: info.properties,
      [`${typeName}_properties`]: info.typeProperties,
    };
  }
}

/** The engine puts the node's file:line:col and id in front. */
function invalidField(ctx: PrepareContext, field: string, message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_FIELD_INVALID', `${field}: ${message}`, { id: ctx.id, field });
}

export const systemdUnitState: ResourceDefinition = {
  kind: 'systemd.unit.state',
  doc:
    'Keeps a systemd unit running or stopped, restarts or reloads it, sends its processes a signal, and enables or disables its unit file, ' +
    "through systemd's D-Bus API on the system bus. Restart, reload and signal are actions: every plan shows them as changes. " +
    "Exports the unit's D-Bus properties: `global_properties.<Name>` (org.freedesktop.systemd1.Unit) and `<type>_properties.<Name>` " +
    '(`service_properties`, `socket_properties`, ...), under their D-Bus names.',
  fields: [
    {
      name: 'unit',
      type: 'string',
      doc: 'The unit: `web.service`, `web.socket`; a name without a suffix means a service.',
      required: true,
      nonempty: true,
    },
    {
      name: 'state',
      type: 'string',
      doc: 'running (start it if it is not active), stopped (stop it if it is), restarted (restart it on every apply); unset leaves it as it is.',
      validValues: ['running', 'stopped', 'restarted'],
    },
    { name: 'reload', type: 'bool', doc: 'Ask the unit to reload its configuration (ReloadUnit) on every apply.', default: false },
    {
      name: 'signal_name',
      type: 'string',
      doc: 'A signal to send to all the unit\'s processes on every apply, by name: `usr1`, `USR1`, `SIGUSR1`.',
    },
    { name: 'signal_number', type: 'int', doc: 'The same by number, 1 to 31 (Linux numbering).' },
    {
      name: 'enabled',
      type: 'bool',
      doc: 'true enables the unit file (EnableUnitFiles, then a daemon reload), false disables it; unset leaves it as it is.',
    },
  ],
  // The original's tag named `signal_num`, so it never enforced this; here it is enforced.
  mutuallyExclusive: [['signal_name', 'signal_number']],
  exports: [
    'unit',
    'state',
    'reload',
    'signal_name',
    'signal_number',
    'enabled',
    'path',
    'description',
    'activestate',
    'loadstate',
    'unitfilestate',
    'type',
    'typestr',
    'status',
    'global_properties.*',
    '<type>_properties.*',
  ],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    let signal: Signal | undefined;
    const name = fields['signal_name'] as string | undefined;
    const number = fields['signal_number'] as number | undefined;
    if (name !== undefined && name !== '') {
      signal = signalByName(name);
      if (signal === undefined) throw invalidField(ctx, 'signal_name', `${JSON.stringify(name)} is not a signal name`);
    } else if (number !== undefined && number !== 0) {
      signal = signalByNumber(number);
      if (signal === undefined) throw invalidField(ctx, 'signal_number', `${number} is not a signal number (1 to 31)`);
    }
    return new UnitStateTask({
      unit: fields['unit'] as string,
      state: ((fields['state'] as string | undefined) ?? '') as RunState,
      reload: fields['reload'] === true,
      signal,
      enabled: fields['enabled'] as boolean | undefined,
    });
  },
};
