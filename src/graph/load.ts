/**
 * Loading, the first step of a job: fetch and parse module files breadth-first from the
 * top module, check the key-count and name rules, expand `switch` blocks, and build the containment
 * tree. Every error names file:line:column.
 */
import { ConvergeError, getErrorMessage, positionedError, type ErrorCode, type SourcePosition } from '../errors.js';
import type { JobSpec } from '../protocol.js';
import { getResource, unknownKindMessage } from '../resources/index.js';
import type { RawField } from '../resources/types.js';
import { parseHcl } from './hcl/index.js';
import type { HclItem, HclKey } from './hcl/ast.js';
import { itemValue, mergeRepeated, plainValue } from './hcl-values.js';
import { childId, nameProblem, ROOT_ID } from './ids.js';
import { displayName, fetchModule, resolveInContext, resolveTopLocation } from './fetch.js';
import { defaultGuard, type RunGuard } from './guard.js';
import { limitError } from './limits.js';
import { silentLoading, type LoadingReporter } from './loading-progress.js';
import { ResourceGraph, type GraphNode } from './nodes.js';
import { collectOrigins, keyOrigins } from './string-origin.js';
import { uploadedSources } from './uploads.js';

/** The modules a file was included through, innermost first: a linked list, shared by siblings. */
interface IncludePath {
  readonly href: string;
  readonly file: string;
  readonly outer: IncludePath | undefined;
}

interface PendingFile {
  readonly url: URL;
  readonly parentId: string;
  readonly depth: number;
  readonly content?: string;
  /** Where the module call was written, for fetch and parse errors of the module. */
  readonly calledAt?: SourcePosition;
  /** This file and the files that included it. */
  readonly path: IncludePath;
}

/** Where a declaration sits while a file is being read. */
interface Scope {
  readonly parentId: string;
  readonly moduleId: string;
  readonly file: string;
  readonly url: string;
  readonly inConditional: boolean;
  /** Local ids already declared in this scope of this file. */
  readonly seen: Set<string>;
}

/**
 * Fetches, parses and expands every module of a job into a containment tree. A module that includes
 * itself (directly or through others) is refused before it is fetched again, so a file that includes
 * itself twice costs two fetches, not 2^depth; the run's limits bound the depth, the module count and
 * the node count.
 */
export async function loadGraph(
  job: JobSpec,
  signal?: AbortSignal,
  guard: RunGuard = defaultGuard(),
  loading: LoadingReporter = silentLoading(),
): Promise<ResourceGraph> {
  const graph = new ResourceGraph();
  const limits = guard.limits;
  const topUrl = resolveTopLocation(job.location, job.cwd);
  const topFile = job.content !== undefined ? job.location : displayName(topUrl, job.cwd);
  const uploaded = job.files === undefined ? undefined : uploadedSources(job.files, topUrl);
  let order = 0;
  graph.add(
    node({ id: ROOT_ID, kind: 'root', name: ROOT_ID, parent: '', moduleId: ROOT_ID, file: topFile, url: topUrl.href },
      { file: topFile, line: 1, column: 1 }, order++),
  );

  // Inline content is not the file at its location, so a module naming that file is not a cycle.
  const topHref = job.content !== undefined ? `content:${topUrl.href}` : topUrl.href;
  const queue: PendingFile[] = [
    {
      url: topUrl,
      parentId: ROOT_ID,
      depth: 0,
      path: { href: topHref, file: topFile, outer: undefined },
      ...(job.content !== undefined ? { content: job.content } : {}),
    },
  ];
  const poll = (): void => guard.poll();
  for (let head = 0; head < queue.length; head++) {
    if (signal?.aborted) throw new ConvergeError('CNV_ERR_JOB_CANCELLED', 'interrupted');
    guard.check();
    const pending = queue[head]!;
    const file = pending.depth === 0 ? topFile : displayName(pending.url, job.cwd);
    let text: string;
    try {
      text =
        pending.content ??
        job.sources?.[pending.url.href] ??
        uploaded?.get(pending.url.href) ??
        (await fetchModule(pending.url, { moduleTokens: job.moduleTokens, signal, maxBytes: limits.moduleBytes }));
    } catch (error) {
      throw pending.calledAt === undefined ? error : located(error, pending.calledAt, 'CNV_ERR_LOAD_READ');
    }
    guard.check();
    loading.files += 1;
    loading.tick();
    if (job.recordSources === true) graph.sources.set(pending.url.href, text);
    const parsed = parseHcl(text, file, { maxNesting: limits.nesting, poll });
    const scope: Scope = {
      parentId: pending.parentId,
      moduleId: pending.parentId,
      file,
      url: pending.url.href,
      inConditional: false,
      seen: new Set(),
    };
    for (const item of parsed.items) {
      guard.poll();
      const added = declare(graph, item, scope, () => order++);
      if (graph.nodes.size > limits.nodes) throw limitError('nodes', limits.nodes, item.pos);
      loading.nodes = graph.nodes.size;
      loading.tick();
      if (added?.kind === 'module') {
        if (pending.depth + 1 > limits.moduleDepth) throw limitError('moduleDepth', limits.moduleDepth, item.pos);
        if (queue.length + 1 > limits.modules) throw limitError('modules', limits.modules, item.pos);
        let url: URL;
        try {
          url = resolveInContext(added.source!, pending.url);
        } catch (error) {
          throw located(error, item.pos, 'CNV_ERR_LOAD_SOURCE');
        }
        const path: IncludePath = { href: url.href, file: displayName(url, job.cwd), outer: pending.path };
        assertNoCycle(path, added.source!, item.pos);
        queue.push({ url, parentId: added.id, depth: pending.depth + 1, calledAt: item.pos, path });
      }
    }
  }
  return graph;
}

/** Refuses a module whose file is already on its include path (it would include itself forever). */
function assertNoCycle(path: IncludePath, source: string, pos: SourcePosition): void {
  for (let outer = path.outer; outer !== undefined; outer = outer.outer) {
    if (outer.href !== path.href) continue;
    const files: string[] = [];
    for (let p: IncludePath | undefined = path; p !== undefined; p = p.outer) files.push(p.file);
    files.reverse();
    throw positionedError(
      'CNV_ERR_LOAD_MODULE_CYCLE',
      pos,
      `module ${JSON.stringify(source)} includes itself: ${files.join(' -> ')}`,
      { cycle: files },
    );
  }
}

/** Gives an error the position of the module call; an error that is not a ConvergeError gets `code`. */
function located(error: unknown, pos: SourcePosition, code: ErrorCode): unknown {
  if (error instanceof ConvergeError) {
    return error.details?.['file'] === undefined ? positionedError(error.code, pos, error.message, error.details) : error;
  }
  return positionedError(code, pos, getErrorMessage(error));
}

interface NodeHead {
  id: string;
  kind: string;
  name: string;
  parent: string;
  moduleId: string;
  file: string;
  url: string;
}

function node(
  head: NodeHead,
  pos: SourcePosition,
  order: number,
  extra: Partial<Pick<GraphNode, 'fields' | 'depends' | 'group' | 'source' | 'predicate' | 'inConditional' | 'origins'>> = {},
): GraphNode {
  return {
    id: head.id,
    kind: head.kind,
    name: head.name,
    parent: head.parent,
    moduleId: head.moduleId,
    file: head.file,
    url: head.url,
    children: [],
    pos,
    fields: extra.fields ?? {},
    depends: extra.depends ?? [],
    group: extra.group,
    source: extra.source,
    predicate: extra.predicate,
    inConditional: extra.inConditional ?? false,
    ...(extra.origins !== undefined && extra.origins.length > 0 ? { origins: extra.origins } : {}),
    order,
  };
}

/** Adds one top-level (or in-case) item to the graph; returns the node for modules. */
function declare(graph: ResourceGraph, item: HclItem, scope: Scope, nextOrder: () => number): GraphNode | undefined {
  const fail = (message: string, pos: SourcePosition = item.pos): never => {
    throw positionedError('CNV_ERR_LOAD_STRUCTURE', pos, message);
  };
  const keys = item.keys;
  if (keys.length === 0) return fail('no keys');
  const kind = keys[0]!.name;

  if (kind === 'switch') {
    if (scope.inConditional) fail('switch statements may not be nested');
    expandSwitch(graph, item, scope, nextOrder);
    return undefined;
  }
  if (kind === 'case' || kind === 'default') fail(`${kind} is only allowed inside a switch`);
  if (keys.length === 1) fail('missing name');
  if (kind === 'module') {
    if (keys.length === 2) fail('missing source or name in module call');
    if (keys.length > 3) fail('too many keys');
    if (scope.inConditional) fail('modules not supported in conditionals');
  } else if (keys.length > 2) {
    fail('too many keys');
  }
  if (item.value.type !== 'object') fail(`${kind}.${keys[keys.length - 1]!.name} must be a block`);

  const nameKey = keys[keys.length - 1]!;
  checkName(nameKey);
  if (kind !== 'module' && kind !== 'param' && getResource(kind) === undefined) {
    throw positionedError(
      'CNV_ERR_LOAD_RESOURCE_TYPE',
      keys[0]!.pos,
      unknownKindMessage(kind, nameKey.name),
    );
  }
  const local = `${kind}.${nameKey.name}`;
  if (scope.seen.has(local)) fail(`duplicate resource ${local}`);
  scope.seen.add(local);

  const { fields, depends, group } = readFields(item, kind);
  const id = childId(scope.parentId, local);
  const added = node(
    { id, kind, name: nameKey.name, parent: scope.parentId, moduleId: scope.moduleId, file: scope.file, url: scope.url },
    item.pos,
    nextOrder(),
    {
      fields,
      depends,
      group,
      inConditional: scope.inConditional,
      origins: collectOrigins(item.value),
      ...(kind === 'module' ? { source: keys[1]!.name } : {}),
    },
  );
  graph.add(added);
  return added;
}

function checkName(key: HclKey): void {
  const problem = nameProblem(key.name);
  if (problem !== undefined) throw positionedError('CNV_ERR_LOAD_STRUCTURE', key.pos, problem);
}

/** Splits a block into resource fields and the two special fields every resource accepts. */
function readFields(
  item: HclItem,
  kind: string,
): { fields: Record<string, RawField>; depends: string[]; group: string | undefined } {
  const fields: Record<string, RawField> = {};
  let depends: string[] = [];
  let group: string | undefined;
  if (item.value.type !== 'object') return { fields, depends, group };
  for (const field of item.value.items) {
    const key = field.keys[0]?.name;
    if (key === undefined) continue;
    const value = itemValue(field);
    const pos = field.pos;
    if (key === 'depends') {
      if (!Array.isArray(value)) {
        throw positionedError('CNV_ERR_LOAD_STRUCTURE', pos, `"depends" is not a list, it is ${describe(value)}`);
      }
      depends = value.map((entry, i) => {
        if (typeof entry !== 'string') {
          throw positionedError('CNV_ERR_LOAD_STRUCTURE', pos, `"depends.${i}" is not a string, it is ${describe(entry)}`);
        }
        return entry;
      });
    } else if (key === 'group' && kind !== 'module') {
      if (typeof value !== 'string') {
        throw positionedError('CNV_ERR_LOAD_STRUCTURE', pos, `"group" is not a string, it is ${describe(value)}`);
      }
      group = value;
      // A kind may also declare `group` as its own field (lvm.logicalvolume names its volume group so,
      // as the original did); it then gets the value too, rendered like any field.
      if (getResource(kind)?.fields.some((spec) => spec.name === 'group') === true) fields[key] = { value, pos };
    } else {
      const prev = fields[key];
      fields[key] = prev === undefined ? { value, pos } : { value: mergeRepeated(prev.value, value, field), pos: prev.pos! };
    }
  }
  return { fields, depends, group };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * `switch "s" { case "<pred>" "<name>" {...} default {...} }` becomes `macro.switch.s` whose children
 * are `macro.case.<name>` nodes (in order) whose children are the branch's resources.
 */
function expandSwitch(graph: ResourceGraph, item: HclItem, scope: Scope, nextOrder: () => number): void {
  const fail = (message: string, pos: SourcePosition = item.pos): never => {
    throw positionedError('CNV_ERR_LOAD_STRUCTURE', pos, message);
  };
  if (item.keys.length === 1) fail('missing name');
  if (item.keys.length > 2) fail('too many keys');
  if (item.value.type !== 'object') fail('switch must be a block');
  const nameKey = item.keys[1]!;
  checkName(nameKey);
  const local = `macro.switch.${nameKey.name}`;
  if (scope.seen.has(local)) fail(`duplicate resource ${local}`);
  scope.seen.add(local);
  const switchId = childId(scope.parentId, local);
  graph.add(
    node(
      { id: switchId, kind: 'macro.switch', name: nameKey.name, parent: scope.parentId, moduleId: scope.moduleId, file: scope.file, url: scope.url },
      item.pos,
      nextOrder(),
      { inConditional: true },
    ),
  );
  const branchNames = new Set<string>();
  const body = item.value.type === 'object' ? item.value.items : [];
  for (const branch of body) {
    const kind = branch.keys[0]?.name;
    let name: string;
    let predicate: string;
    if (kind === 'case') {
      if (branch.keys.length < 3) fail('missing name or predicate in case', branch.pos);
      if (branch.keys.length > 3) fail('too many keys', branch.pos);
      checkName(branch.keys[2]!);
      name = branch.keys[2]!.name;
      predicate = branch.keys[1]!.name;
      if (name === 'default') fail('a case may not be named "default"', branch.keys[2]!.pos);
    } else if (kind === 'default') {
      if (branch.keys.length > 1) fail('too many keys', branch.pos);
      name = 'default';
      predicate = 'true';
    } else if (kind === 'switch') {
      return fail('switch statements may not be nested', branch.pos);
    } else {
      return fail(`a switch may only contain case and default blocks, found "${kind ?? ''}"`, branch.pos);
    }
    if (branch.value.type !== 'object') fail(`${kind} must be a block`, branch.pos);
    if (branchNames.has(name)) fail(`duplicate resource macro.case.${name}`, branch.pos);
    branchNames.add(name);
    const caseId = childId(switchId, `macro.case.${name}`);
    graph.add(
      node(
        { id: caseId, kind: 'macro.case', name, parent: switchId, moduleId: scope.moduleId, file: scope.file, url: scope.url },
        branch.pos,
        nextOrder(),
        { inConditional: true, predicate, ...(kind === 'case' ? { origins: keyOrigins([branch.keys[1]!]) } : {}) },
      ),
    );
    const inner: Scope = { ...scope, parentId: caseId, inConditional: true, seen: new Set() };
    for (const child of branch.value.type === 'object' ? branch.value.items : []) {
      const childKind = child.keys[0]?.name;
      if (childKind === 'case' || childKind === 'default') fail(`${childKind} blocks may not be nested`, child.pos);
      declare(graph, child, inner, nextOrder);
    }
  }
}

/** Plain data of a value, exported for tests of the structural nodes. */
export { plainValue };
