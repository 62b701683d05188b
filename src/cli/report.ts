/**
 * The human report at the end of a job, one printer for plan, apply, healthcheck and for a run read back
 * from a server (`runs show`, `attach`), so a stored run reads exactly as it did when it ran.
 */
import type { FlagValue } from './args.js';
import type { JobKind } from '../protocol.js';
import { renderHealth } from './render/health.js';
import { renderHuman, type NodeResult } from './render/human.js';
import type { Style } from './render/style.js';

export function humanReport(kind: JobKind, shown: readonly NodeResult[], style: Style, flags: Readonly<Record<string, FlagValue>>): string {
  return kind === 'healthcheck'
    ? renderHealth(shown, { style, quiet: flags['quiet'] === true })
    : renderHuman(shown, { style, showMeta: flags['show-meta'] === true, onlyShowChanges: flags['only-show-changes'] === true });
}
