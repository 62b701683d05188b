/**
 * Exit statuses of plan, apply and healthcheck, per module and over several modules. With
 * `--detailed-exitcode` a plan tells CI whether anything would change (Terraform's convention: 0 none,
 * 2 pending, 1 error), and a healthcheck exits 3 when a check is not healthy, as `--fail-unhealthy` does.
 */
import type { JobKind } from '../protocol.js';
import { EXIT } from './defaults.js';
import { anyUnhealthy } from './render/health.js';
import { summarize, type NodeResult } from './render/human.js';

export interface ExitOptions {
  readonly detailed: boolean;
  readonly failUnhealthy: boolean;
}

/** The status of one module whose job ran to the end; `shown` is the last pass's results. */
export function moduleExitStatus(kind: JobKind, shown: readonly NodeResult[], options: ExitOptions): number {
  if (kind === 'healthcheck') {
    return (options.failUnhealthy || options.detailed) && anyUnhealthy(shown) ? EXIT.unhealthy : EXIT.ok;
  }
  if (shown.some((r) => r.id !== 'root' && r.details.error !== '')) return EXIT.failed;
  if (kind === 'plan' && options.detailed && summarize(shown).changes > 0) return EXIT.changesPending;
  return EXIT.ok;
}

/** Which status wins over several modules: an error, then unhealthy, then changes pending. */
const RANK: Readonly<Record<number, number>> = { [EXIT.ok]: 0, [EXIT.changesPending]: 1, [EXIT.unhealthy]: 2, [EXIT.failed]: 3 };

export function worstExitStatus(a: number, b: number): number {
  return (RANK[b] ?? 3) > (RANK[a] ?? 3) ? b : a;
}
