/**
 * What systemd says about one unit: its object (LoadUnit, which loads a unit that is not loaded yet
 * where GetUnit would fail), every property of org.freedesktop.systemd1.Unit and every property of its
 * type's interface (Service, Socket, ...), as plain values under their D-Bus names.
 */
import { ConvergeError } from '../../errors.js';
import type { SystemBus } from './bus.js';
import { plainProperties } from './values.js';

/** Unit types and the D-Bus interface of their own properties; a target has none. */
const TYPE_INTERFACES: Readonly<Record<string, string | undefined>> = {
  service: 'Service',
  socket: 'Socket',
  device: 'Device',
  mount: 'Mount',
  automount: 'Automount',
  swap: 'Swap',
  target: undefined,
  path: 'Path',
  timer: 'Timer',
  slice: 'Slice',
  scope: 'Scope',
};

export interface UnitInfo {
  /** The unit's full name (`web.service` for `web`). */
  readonly id: string;
  readonly objectPath: string;
  /** `service`, `socket`, ... from the name's suffix. */
  readonly type: string;
  readonly activeState: string;
  readonly loadState: string;
  /** enabled, disabled, static, masked, ...; empty for units without a unit file. */
  readonly unitFileState: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** The type's own properties; empty for types without an interface. */
  readonly typeProperties: Readonly<Record<string, unknown>>;
}

/**
 * The full unit name for a name as written: systemd's D-Bus API takes only full names, and systemctl's
 * habit (which the original documented) is that a name without a unit type suffix is a service.
 */
export function fullUnitName(unit: string): string {
  const dot = unit.lastIndexOf('.');
  return dot > 0 && unit.slice(dot + 1) in TYPE_INTERFACES ? unit : `${unit}.service`;
}

export async function queryUnit(bus: SystemBus, unit: string): Promise<UnitInfo> {
  const what = `unit ${unit}`;
  const [objectPath] = (await bus.manager('LoadUnit', 's', [fullUnitName(unit)], what)) as [string];
  const properties = plainProperties(await bus.getAll(objectPath, 'org.freedesktop.systemd1.Unit', what));
  const id = String(properties['Id'] ?? unit);
  const loadState = String(properties['LoadState'] ?? '');
  if (loadState === 'not-found') {
    const loadError = properties['LoadError'];
    const reason = Array.isArray(loadError) && typeof loadError[1] === 'string' && loadError[1] !== '' ? `: ${loadError[1]}` : '';
    throw new ConvergeError('CNV_ERR_SYSTEMD_UNIT_NOT_FOUND', `unit ${unit}: no such unit known to systemd${reason}`, { unit });
  }
  const type = id.slice(id.lastIndexOf('.') + 1);
  const typeInterface = TYPE_INTERFACES[type];
  const typeProperties =
    typeInterface === undefined
      ? {}
      : plainProperties(await bus.getAll(objectPath, `org.freedesktop.systemd1.${typeInterface}`, what));
  return {
    id,
    objectPath,
    type,
    activeState: String(properties['ActiveState'] ?? ''),
    loadState,
    unitFileState: String(properties['UnitFileState'] ?? ''),
    properties,
    typeProperties,
  };
}

/** Why a unit failed, from its type's Result property, in words (the original's table). */
export function failureReason(info: UnitInfo): string {
  const result = info.typeProperties['Result'];
  switch (result) {
    case undefined:
      return 'unknown reason';
    case 'success':
      return 'the unit was activated successfully';
    case 'resources':
      return 'not enough resources available to create the process';
    case 'timeout':
      return 'a timeout occurred while starting the unit';
    case 'exit-code':
      return 'unit exited with a non-zero exit code';
    case 'signal':
      return 'unit exited due to an unhandled signal';
    case 'core-dump':
      return 'unit exited and dumped core';
    case 'watchdog':
      return 'watchdog terminated the service due to slow or missing responses';
    case 'start-limit':
    case 'start-limit-hit':
      return 'process has been restarted too many times';
    case 'service-failed-permanent':
      return 'continual failure of this socket';
    default:
      return `result ${String(result)}`;
  }
}
