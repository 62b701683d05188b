/**
 * Rendering, the second step of a load: every string field is a template evaluated in the
 * node's scope. Param values are computed on demand and memoised, so the order nodes are rendered in
 * does not matter. A `lookup` cannot be answered before the producer has run: at load time it marks
 * the node deferred (the original's PrepareThunk) and the node is rendered again during the walk.
 */
import { ConvergeError, positionedError, type SourcePosition } from '../errors.js';
import type { JobSpec } from '../protocol.js';
import { decodeFields, getResource, unknownKindMessage } from '../resources/index.js';
import type { DecodedFields, FieldSpec, Task } from '../resources/types.js';
import { CONVERGE_FUNCS } from './template/converge-funcs.js';
import { formatValue } from './template/index.js';
import { ROOT_ID } from './ids.js';
import { limitError } from './limits.js';
import type { GraphNode, ResourceGraph } from './nodes.js';
import { nearest, readExported, resolveLookup, type IdIndex } from './resolve.js';
import { findOrigin } from './string-origin.js';
import { TemplateCache } from './templates.js';

/** When lookups may be answered: never at load, from the producers' exported fields during the walk. */
export type RenderMode = 'load' | 'walk';

/** Thrown by `lookup` at load time; the node is then rendered during the walk instead. */
export class DeferredLookup extends Error {
  constructor(readonly ref: string) {
    super(`${ref}: no status yet`);
  }
}

/** True when `error` (or any error in its cause chain) is a DeferredLookup. */
export function isDeferred(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DeferredLookup) return true;
  }
  return false;
}

const PARAM_FIELDS: readonly FieldSpec[] = [{ name: 'default', type: 'any', doc: 'Value used when none is passed.' }];
const MODULE_FIELDS: readonly FieldSpec[] = [{ name: 'params', type: 'any', doc: 'Values for the module\'s params.' }];

type TemplateFunc = (...args: unknown[]) => unknown;

/** Rendering state of one job: templates, params, and the exported fields of nodes that ran. */
export class RenderContext {
  readonly graph: ResourceGraph;
  readonly job: JobSpec;
  readonly templates: TemplateCache;
  readonly index: IdIndex;
  /** Exported fields of every node that has run, for `lookup`. */
  readonly exported = new Map<string, Readonly<Record<string, unknown>>>();
  readonly #params = new Map<string, { value: unknown } | 'computing'>();
  readonly #moduleParams = new Map<string, Readonly<Record<string, unknown>>>();
  #renderDepth = 0;

  constructor(graph: ResourceGraph, job: JobSpec, templates: TemplateCache, index: IdIndex) {
    this.graph = graph;
    this.job = job;
    this.templates = templates;
    this.index = index;
  }

  /** Renders one template string in `node`'s scope. */
  renderString(
    node: GraphNode,
    text: string,
    pos: SourcePosition,
    mode: RenderMode,
    dot?: unknown,
    funcs?: Record<string, TemplateFunc>,
  ): string {
    if (TemplateCache.isPlain(text)) return text;
    // A param's default can call `param` for another, whose default calls a third...: each link is a
    // nested render on the stack, so the chain is bounded like any other nesting.
    const limit = this.templates.maxNesting;
    if (this.#renderDepth >= limit) throw limitError('nesting', limit, pos);
    this.#renderDepth++;
    try {
      return this.templates.get(text, pos, findOrigin(node.origins, text)).execute(dot, funcs ?? this.#funcs(node, mode), this.templates.budget);
    } finally {
      this.#renderDepth--;
    }
  }

  /** Renders every string inside a plain value, keeping lists and maps. */
  renderDeep(node: GraphNode, value: unknown, pos: SourcePosition, mode: RenderMode, dot?: unknown): unknown {
    if (typeof value === 'string') return this.renderString(node, value, pos, mode, dot);
    if (Array.isArray(value)) return value.map((v) => this.renderDeep(node, v, pos, mode, dot));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.renderDeep(node, v, pos, mode, dot);
      return out;
    }
    return value;
  }

  /** Decodes a resource node's fields with its definition (rendering every string). */
  decode(node: GraphNode, mode: RenderMode): DecodedFields {
    const def =
      node.kind === 'param'
        ? { fields: PARAM_FIELDS }
        : node.kind === 'module'
          ? { fields: MODULE_FIELDS }
          : getResource(node.kind);
    if (def === undefined) {
      throw positionedError('CNV_ERR_LOAD_RESOURCE_TYPE', node.pos, unknownKindMessage(node.kind, node.name));
    }
    let funcs: Record<string, TemplateFunc> | undefined;
    const render = (text: string, field: string): string => {
      if (TemplateCache.isPlain(text)) return text;
      funcs ??= this.#funcs(node, mode);
      const pos = node.fields[field.split('.')[0]!]?.pos ?? node.pos;
      return this.renderString(node, text, pos, mode, undefined, funcs);
    };
    return decodeFields(def, node.fields, render, { id: node.id, pos: node.pos });
  }

  /** Builds the resource's task from freshly rendered fields. */
  async prepare(node: GraphNode, mode: RenderMode): Promise<{ fields: DecodedFields; task: Task }> {
    const def = getResource(node.kind);
    const fields = this.decode(node, mode);
    const task = await def!.prepare(fields, {
      id: node.id,
      pos: node.pos,
      cwd: this.job.cwd,
      ...(node.group !== undefined ? { group: node.group } : {}),
    });
    return { fields, task };
  }

  /** The value of a param node: what its module passed, else its rendered default. */
  paramValue(paramId: string): unknown {
    const known = this.#params.get(paramId);
    if (known === 'computing') {
      throw new ConvergeError('CNV_ERR_GRAPH_CYCLE', `Cycle: ${paramId} refers to itself`, { id: paramId });
    }
    if (known !== undefined) return known.value;
    const node = this.graph.get(paramId)!;
    this.#params.set(paramId, 'computing');
    try {
      const passed = this.moduleParams(node.parent);
      let value: unknown;
      if (Object.hasOwn(passed, node.name) && passed[node.name] !== undefined) {
        value = passed[node.name];
      } else {
        const decoded = this.decode(node, 'load');
        if (decoded['default'] === undefined) {
          throw positionedError('CNV_ERR_PARAM_REQUIRED', node.pos, `${node.name} param is required`, { id: paramId });
        }
        value = decoded['default'];
      }
      this.#params.set(paramId, { value });
      return value;
    } catch (error) {
      this.#params.delete(paramId);
      throw error;
    }
  }

  /** Values a module (or root) passes to its params. */
  moduleParams(moduleId: string): Readonly<Record<string, unknown>> {
    const known = this.#moduleParams.get(moduleId);
    if (known !== undefined) return known;
    let values: Readonly<Record<string, unknown>>;
    if (moduleId === ROOT_ID) {
      values = this.job.params;
    } else {
      const node = this.graph.get(moduleId)!;
      const raw = this.decode(node, 'load')['params'];
      values = mergeParamBlocks(raw, node);
    }
    this.#moduleParams.set(moduleId, values);
    return values;
  }

  #funcs(node: GraphNode, mode: RenderMode): Record<string, TemplateFunc> {
    const param = (name: unknown): unknown => {
      const id = nearest(this.graph, node, `param.${String(name)}`);
      if (id === undefined) throw new Error(`unknown parameter: param.${String(name)}`);
      return this.paramValue(id);
    };
    return {
      ...CONVERGE_FUNCS,
      param: (name) => formatValue(param(name)),
      paramList: (name) => {
        const value = param(name);
        if (!Array.isArray(value)) throw new Error(`param ${String(name)} is not a list, it is ${formatValue(value)}`);
        return value.map((v) => formatValue(v));
      },
      paramMap: (name) => {
        const value = param(name);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new Error(`param ${String(name)} is not a map, it is ${formatValue(value)}`);
        }
        return value;
      },
      lookup: (ref) => {
        if (mode === 'load') throw new DeferredLookup(String(ref));
        return formatValue(this.lookupValue(node, String(ref)));
      },
    };
  }

  /** The value a `lookup` reads, from the exported fields of a node that has run. */
  lookupValue(node: GraphNode, ref: string): unknown {
    const found = resolveLookup(this.graph, this.index, node, ref);
    if (!found.ok) throw new Error(found.message);
    const exported = this.exported.get(found.target);
    if (exported === undefined) throw new Error('node is unresolvable');
    const read = readExported(exported, found.path);
    if (!read.found) throw new Error('node is unresolvable');
    return read.value;
  }
}

/** `params { }` given twice arrives as a list of maps; a single block or `params = {}` as one map. */
function mergeParamBlocks(raw: unknown, node: GraphNode): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  const blocks = Array.isArray(raw) ? raw : [raw];
  const out: Record<string, unknown> = {};
  for (const block of blocks) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      throw positionedError('CNV_ERR_FIELD_INVALID', node.fields['params']?.pos ?? node.pos, '"params" must be a map', {
        id: node.id,
      });
    }
    Object.assign(out, block);
  }
  return out;
}
