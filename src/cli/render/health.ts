/**
 * The healthcheck report. Blocks use the human layout (the original's clients always fell back to it), but
 * the summary is computed from each node's health, which the original lost over RPC and so always printed
 * `0 errors, 0 warnings`. `--quiet` gives one line per unhealthy node instead of blocks.
 */
import type { HealthLevel } from '../../protocol.js';
import { isShown, renderNodeBlock, type HumanOptions, type NodeResult } from './human.js';
import { PLAIN_STYLE } from './style.js';

export interface HealthOptions extends HumanOptions {
  /** One line per unhealthy node instead of full blocks. @default false */
  readonly quiet?: boolean;
}

export interface HealthSummary {
  readonly errors: number;
  readonly warnings: number;
  /** Nodes with at least one unhealthy dependency. */
  readonly failingDependencies: number;
}

/** A node's health level; a node without a health block counts as healthy unless it carries an error. */
export function healthLevel(result: NodeResult): HealthLevel {
  return result.details.health?.level ?? (result.details.error !== '' ? 'error' : 'healthy');
}

export function summarizeHealth(results: readonly NodeResult[]): HealthSummary {
  let errors = 0;
  let warnings = 0;
  let failingDependencies = 0;
  for (const result of results) {
    if (result.id === 'root') continue;
    const level = healthLevel(result);
    if (level === 'error') errors++;
    else if (level === 'warning') warnings++;
    if ((result.details.health?.failingDependencies.length ?? 0) > 0) failingDependencies++;
  }
  return { errors, warnings, failingDependencies };
}

export function renderHealthSummary(summary: HealthSummary, options: HealthOptions = {}): string {
  const style = options.style ?? PLAIN_STYLE;
  const label =
    summary.errors > 0 ? style.red('Summary') : summary.warnings > 0 ? style.yellow('Summary') : 'Summary';
  // The Summary line keeps the original's wording (scripts and the conformance kit count its fields).
  const checks = summary.failingDependencies === 1 ? '1 check' : `${summary.failingDependencies} checks`;
  return `${label}: ${summary.errors} errors, ${summary.warnings} warnings\n${checks} will fail due to failing dependencies\n`;
}

function renderQuietLine(result: NodeResult, options: HealthOptions): string {
  const style = options.style ?? PLAIN_STYLE;
  const level = healthLevel(result);
  const id = level === 'error' ? style.red(result.id) : level === 'warning' ? style.yellow(result.id) : result.id;
  const failing = result.details.health?.failingDependencies.length ?? 0;
  const deps = failing === 0 ? '' : failing === 1 ? '; 1 failing dependency' : `; ${failing} failing dependencies`;
  return `${id}: Status: ${level}${deps}\n`;
}

/** The whole healthcheck report for the health pass of one job. */
export function renderHealth(results: readonly NodeResult[], options: HealthOptions = {}): string {
  const sorted = [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let text = '\n';
  for (const result of sorted) {
    if (!isShown(result, options)) continue;
    if (options.quiet) {
      const unhealthy = healthLevel(result) !== 'healthy' || (result.details.health?.failingDependencies.length ?? 0) > 0;
      if (unhealthy) text += renderQuietLine(result, options);
    } else {
      text += renderNodeBlock(result, options.style);
    }
  }
  // Quiet lines are a list: one blank line closes it, as blocks end with theirs.
  if (options.quiet && text !== '\n') text += '\n';
  return text + renderHealthSummary(summarizeHealth(sorted), options);
}

/** True when any non-root node is not healthy (for `--fail-unhealthy`). */
export function anyUnhealthy(results: readonly NodeResult[]): boolean {
  return results.some((r) => r.id !== 'root' && healthLevel(r) !== 'healthy');
}
