/**
 * Graph ids: `root`, `root/task.render`, `root/module.basic/task.render`. A node's local id is
 * `<kind>.<name>`; the kind may itself contain dots, so ids are only ever split on `/`.
 */
export const ROOT_ID = 'root';

/** The id of the node that contains `id`, or '' for root. */
export function parentOf(id: string): string {
  const cut = id.lastIndexOf('/');
  return cut < 0 ? '' : id.slice(0, cut);
}

/** `<parent>/<local>`. */
export function childId(parent: string, local: string): string {
  return `${parent}/${local}`;
}

/** The last segment of an id (`task.render`). */
export function localOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/** True when `ancestor` contains `id` at any depth (or is `id`). */
export function isAncestorOrSelf(ancestor: string, id: string): boolean {
  return id === ancestor || id.startsWith(ancestor + '/');
}

const NAME_CHAR = /^[\p{L}\p{N}\-_.]$/u;
/** The common case, checked without per-character Unicode property tests. */
const ASCII_NAME = /^[A-Za-z0-9_.-]*$/;

/**
 * Checks a resource name against the original's rules (Unicode letters and digits, `-`, `_`, `.`).
 * Returns the error text, or undefined when the name is valid.
 */
export function nameProblem(name: string): string | undefined {
  if (ASCII_NAME.test(name)) return undefined;
  if (name.includes(' ')) return 'resource name may not contain spaces';
  const bad: string[] = [];
  for (const c of name) {
    if (!NAME_CHAR.test(c) && !bad.includes(c)) bad.push(c);
  }
  if (bad.length === 0) return undefined;
  return (
    `invalid character(s) in resource name: [${bad.join(' ')}]; valid characters are unicode letters ` +
    `and numbers, dashes '-', underscores '_', and dots '.'`
  );
}
