/**
 * `converge graph` output: Graphviz dot, as the original prints it. Edges point from dependency to dependent,
 * the order things run in. Each module (and the root) is a `subgraph cluster_N`, nested as the modules are.
 * The edge from a node to the module that contains it is implied by the cluster and not drawn; the edge from
 * a module to its parent module is drawn, as the original did.
 */
import type { GraphEdge, GraphVertex } from '../../protocol.js';

export interface DotOptions {
  /** Draw param vertices and their edges. @default false */
  readonly showParams?: boolean;
}

function quote(text: string): string {
  return '"' + text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n') + '"';
}

function lastSegment(id: string): string {
  return id === 'root' ? '/' : id.slice(id.lastIndexOf('/') + 1);
}

function isModule(vertex: GraphVertex): boolean {
  return vertex.id === 'root' || vertex.kind === 'module' || vertex.kind === 'root';
}

function isParam(vertex: GraphVertex | undefined, id: string): boolean {
  return vertex ? vertex.kind === 'param' : lastSegment(id).startsWith('param.');
}

function parseDetails(vertex: GraphVertex): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(vertex.details);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function field(details: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = details[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return undefined;
}

/** Label and shape by kind, after the original's RPC print provider. */
function attributes(vertex: GraphVertex): string {
  const name = lastSegment(vertex.id);
  let label = name;
  let shape: string | undefined;
  const details = parseDetails(vertex);
  if (isModule(vertex)) {
    label = `Module: ${name}`;
    shape = 'folder';
  } else if (vertex.kind === 'task') {
    shape = 'component';
  } else if (vertex.kind === 'file.content' || vertex.kind === 'file.directory') {
    shape = 'tab';
    const destination = field(details, 'destination', 'Destination');
    if (destination !== undefined) label = `${vertex.kind === 'file.content' ? 'File' : 'Directory'}: ${destination}`;
  } else if (vertex.kind === 'param') {
    const value = field(details, 'value', 'Val', 'default', 'Default');
    if (value !== undefined) label = `${name}: ${value}`;
  } else if (vertex.kind === 'wait.port') {
    const host = field(details, 'host', 'Host');
    const port = field(details, 'port', 'Port');
    if (port !== undefined) label = `Wait: ${host ?? ''}:${port}`;
  }
  return shape === undefined ? `[ label=${quote(label)} ]` : `[ label=${quote(label)} , shape=${quote(shape)} ]`;
}

/** Renders vertices and edges (as the engine and Grapher send them) to dot text. */
export function renderDot(vertices: readonly GraphVertex[], edges: readonly GraphEdge[], options: DotOptions = {}): string {
  const byId = new Map(vertices.map((v) => [v.id, v]));
  const visible = (id: string): boolean => options.showParams === true || !isParam(byId.get(id), id);

  // The cluster of a vertex is the nearest module at or above it in the id path.
  const clusterOf = (id: string): string => {
    for (let current = id; ; ) {
      const vertex = byId.get(current);
      if (current === 'root' || (vertex !== undefined && isModule(vertex))) return current;
      const slash = current.lastIndexOf('/');
      if (slash < 0) return 'root';
      current = current.slice(0, slash);
    }
  };

  const members = new Map<string, string[]>();
  const childClusters = new Map<string, string[]>();
  const sortedVertices = [...vertices].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const vertex of sortedVertices) {
    if (!visible(vertex.id)) continue;
    if (isModule(vertex) && vertex.id !== 'root') {
      const slash = vertex.id.lastIndexOf('/');
      const parent = clusterOf(slash < 0 ? 'root' : vertex.id.slice(0, slash));
      childClusters.set(parent, [...(childClusters.get(parent) ?? []), vertex.id]);
    }
    const cluster = clusterOf(vertex.id);
    members.set(cluster, [...(members.get(cluster) ?? []), vertex.id]);
  }

  const lines: string[] = ['digraph {', ''];
  let clusterNumber = 0;
  const writeCluster = (owner: string): void => {
    lines.push(`subgraph cluster_${clusterNumber++} {`);
    for (const id of members.get(owner) ?? []) lines.push(`${quote(id)} ${attributes(byId.get(id)!)};`);
    for (const child of childClusters.get(owner) ?? []) writeCluster(child);
    lines.push('}');
  };
  if (byId.has('root') || members.size > 0) writeCluster('root');

  const drawn = new Set<string>();
  for (const edge of edges) {
    if (!visible(edge.source) || !visible(edge.dest)) continue;
    const isParent = edge.attributes?.includes('parent') ?? false;
    if (isParent && clusterOf(edge.dest) === edge.source) continue;
    drawn.add(`${quote(edge.dest)} -> ${quote(edge.source)} [ label="" ];`);
  }
  lines.push(...[...drawn].sort(), '}');
  return lines.join('\n') + '\n';
}
