/** GraphComponent both ways: the server streams every vertex, then every edge; the client collects them. */
import type { GraphEdge, GraphVertex } from '../../protocol.js';
import type { GraphComponent, GraphComponentInit, StatusResponseInit } from './pb-types.js';

export function graphComponents(vertices: readonly GraphVertex[], edges: readonly GraphEdge[]): GraphComponentInit[] {
  const out: GraphComponentInit[] = [];
  for (const vertex of vertices) {
    out.push({ vertex: { id: vertex.id, kind: vertex.kind, details: Buffer.from(vertex.details, 'utf8') } });
  }
  for (const edge of edges) out.push({ edge: { source: edge.source, dest: edge.dest, attributes: edge.attributes ?? [] } });
  return out;
}

/**
 * The proto3 JSON form of a streamed message. Only a vertex differs from the object itself: `details`
 * is bytes, which JSON prints as base64.
 */
export function proto3Json(message: StatusResponseInit | GraphComponentInit): unknown {
  if (!('vertex' in message) || message.vertex === undefined) return message;
  const details = message.vertex.details ?? new Uint8Array();
  return { vertex: { ...message.vertex, details: Buffer.from(details.buffer, details.byteOffset, details.byteLength).toString('base64') } };
}

/** Adds one streamed component to the graph being collected. */
export function collectComponent(component: GraphComponent, vertices: GraphVertex[], edges: GraphEdge[]): void {
  const { vertex, edge } = component;
  if (vertex !== undefined) {
    vertices.push({ id: vertex.id, kind: vertex.kind, details: vertex.details.toString('utf8') });
  } else if (edge !== undefined) {
    edges.push({ source: edge.source, dest: edge.dest, attributes: edge.attributes.length === 0 ? null : edge.attributes });
  }
}
