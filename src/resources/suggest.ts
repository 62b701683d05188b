/**
 * Spelling suggestions for unknown field names. The original suggested every known name within a
 * Levenshtein distance of 5; we keep that threshold and list the closest first so the best guess leads.
 */

/** Edit distance (insert, delete, substitute) between two strings, by code point. */
export function levenshtein(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** Known names within `maxDistance` of `name`, closest first, ties in the order given. */
export function suggestNames(name: string, known: readonly string[], maxDistance = 5): string[] {
  return known
    .map((candidate, index) => ({ candidate, index, distance: levenshtein(name, candidate) }))
    .filter((entry) => entry.distance <= maxDistance)
    .sort((x, y) => x.distance - y.distance || x.index - y.index)
    .map((entry) => entry.candidate);
}
