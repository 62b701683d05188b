/**
 * The human report printed after plan and apply: one block per node, sorted by id, the
 * error lists, and the summary line. The layout reproduces the original's template run through Go's
 * tabwriter, so every tab below is a column boundary, not decoration.
 */
import type { Diff, NodeDetails } from '../../protocol.js';
import { goQuote } from '../../go/strconv.js';
import { goTrimSpace } from '../../go/strings.js';
import { PLAIN_STYLE, type Style } from './style.js';
import { alignTabs } from './tabwriter.js';

export interface HumanOptions {
  /** Show param, module and root blocks too. @default false */
  readonly showMeta?: boolean;
  /** Show only nodes that have changes. @default false */
  readonly onlyShowChanges?: boolean;
  /** @default PLAIN_STYLE */
  readonly style?: Style;
}

/** One node's final status, as the last FINISHED event carried it. */
export interface NodeResult {
  readonly id: string;
  readonly details: NodeDetails;
}

const DEPENDENCY_ERROR = 'error in dependency';

/** The id's last segment decides whether a node is "meta" (params, modules and the root). */
export function isMetaNode(id: string): boolean {
  if (id === 'root') return true;
  const last = id.slice(id.lastIndexOf('/') + 1);
  return last.startsWith('param.') || last.startsWith('module.');
}

export function isDependencyError(details: NodeDetails): boolean {
  return details.error.includes(DEPENDENCY_ERROR);
}

function byId(a: NodeResult, b: NodeResult): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Indents every line of `text` by one column (a tab, which the tabwriter turns into padding). */
function indent(text: string): string {
  return '\t' + text.replaceAll('\n', '\n\t');
}

function renderDiff(diff: Diff, style: Style): string {
  const before = goTrimSpace(diff.original);
  const after = goTrimSpace(diff.current);
  if (!before.includes('\n') && !after.includes('\n')) {
    return style.bold(`${goQuote(before)}\t=>\t${goQuote(after)}`);
  }
  // Multi-line values are shown untrimmed, each line indented to the key's column.
  return '\n' + indent(indent(`before:\n${diff.original}\nafter:\n${diff.current}`));
}

/** Renders one node block, including its trailing blank line. */
export function renderNodeBlock(result: NodeResult, style: Style = PLAIN_STYLE): string {
  const { id, details } = result;
  const hasError = details.error !== '';
  let text = hasError ? style.red(id) : details.hasChanges ? style.yellow(id) : id;
  text += ':';
  if (hasError) text += `\n\t${style.red('Error')}: ${details.error}`;
  if (details.warning !== '') text += `\n\t${style.yellow('Warning')}: ${details.warning}`;
  text += '\n\tMessages:';
  for (const message of details.messages) text += '\n\t' + indent(message);
  text += `\n\tHas Changes: ${details.hasChanges ? style.yellow('yes') : 'no'}`;
  text += '\n\tChanges:';
  const keys = Object.keys(details.changes).sort();
  if (keys.length === 0) text += ' No changes';
  for (const key of keys) text += `\n\t\t${style.cyan(key)}:\t${renderDiff(details.changes[key]!, style)}`;
  return alignTabs(text + '\n\n');
}

/** Whether the default filters (and the options) let a node's block be drawn. */
export function isShown(result: NodeResult, options: HumanOptions): boolean {
  if (!options.showMeta && isMetaNode(result.id)) return false;
  if (options.onlyShowChanges && !result.details.hasChanges) return false;
  return !isDependencyError(result.details);
}

export interface Summary {
  readonly errors: readonly NodeResult[];
  readonly dependencyErrors: readonly NodeResult[];
  readonly changes: number;
}

/** Counts over every node except the root, whatever the display filters hide. */
export function summarize(results: readonly NodeResult[]): Summary {
  const errors: NodeResult[] = [];
  const dependencyErrors: NodeResult[] = [];
  let changes = 0;
  for (const result of results) {
    if (result.id === 'root') continue;
    if (result.details.error !== '') {
      (isDependencyError(result.details) ? dependencyErrors : errors).push(result);
    } else if (result.details.hasChanges) {
      changes++;
    }
  }
  return { errors: errors.sort(byId), dependencyErrors: dependencyErrors.sort(byId), changes };
}

/** The part after the blocks: error lists and the `Summary:` line. */
export function renderSummary(summary: Summary, style: Style = PLAIN_STYLE): string {
  let text = '';
  if (summary.errors.length > 0) {
    text += 'Errors:\n' + summary.errors.map((r) => ` * ${r.id}: ${r.details.error}\n`).join('') + '\n';
  }
  if (summary.dependencyErrors.length > 0) {
    text += 'Failed due to failing dependency:\n';
    text += summary.dependencyErrors.map((r) => ` * ${r.id}: ${r.details.error}\n`).join('') + '\n';
  }
  const label = summary.errors.length > 0 ? style.red('Summary') : style.green('Summary');
  text += `${label}: ${summary.errors.length} errors, ${summary.changes} changes`;
  if (summary.dependencyErrors.length > 0) text += `, ${summary.dependencyErrors.length} dependency errors`;
  return text + '\n';
}

/** The whole report for one job: a blank line, the shown blocks sorted by id, then the summary. */
export function renderHuman(results: readonly NodeResult[], options: HumanOptions = {}): string {
  const style = options.style ?? PLAIN_STYLE;
  const sorted = [...results].sort(byId);
  let text = '\n';
  for (const result of sorted) if (isShown(result, options)) text += renderNodeBlock(result, style);
  return text + renderSummary(summarize(sorted), style);
}
