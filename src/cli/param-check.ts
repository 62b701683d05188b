/**
 * `-p` names the top-level module does not declare. The original accepted them silently, so a typo
 * (`-p nmae=x`) ran the module with its default. They stay accepted (a module may stop declaring a
 * param that scripts still pass), but each is warned about, with the params the module does declare.
 */
import { suggestNames } from '../resources/suggest.js';
import type { GraphEdge } from '../protocol.js';
import type { Logger } from './log.js';

const TOP_LEVEL_PARAM = /^root\/param\.([^/]+)$/;

/** The top-level module's param names, from the ids of a job's graph. */
export function declaredParams(ids: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const id of ids) {
    const match = TOP_LEVEL_PARAM.exec(id);
    if (match !== null) names.add(match[1]!);
  }
  return [...names].sort();
}

/** The ids named by an edge list. */
export function edgeIds(edges: readonly GraphEdge[]): string[] {
  return edges.flatMap((edge) => [edge.source, edge.dest]);
}

/** Logs one warning per given name that `declared` lacks. */
export function warnUndeclaredParams(log: Logger, location: string, given: readonly string[], declared: readonly string[]): void {
  for (const name of given) {
    if (declared.includes(name)) continue;
    const close = suggestNames(name, declared, 2);
    const known = declared.length > 0 ? `its params: ${declared.join(', ')}` : 'it declares no params';
    const guess = close.length > 0 ? `; did you mean "${close[0]}"?` : '';
    log.warn(`param "${name}" from the command line is ignored: ${location} does not declare it (${known}${guess})`, {
      param: name,
      declared: declared.join(','),
    });
  }
}
