/**
 * Conversions between the engine's plain data (protocol.ts) and the proto messages. The objects built
 * here omit default values, so the same object encodes for gRPC and prints, as it is, as proto3 JSON
 * for HTTP (the original's REST output omitted empty fields too).
 */
import { ConvergeError } from '../errors.js';
import type { GraphEdge, GraphVertex, JobSpec, NodeDetails, NodeEvent } from '../protocol.js';
import type { QueuedNotice } from './runs.js';

/** A LoadRequest after validation (the fields this server reads). */
export interface LoadRequest {
  readonly location: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly verify: boolean;
  readonly content: string;
  readonly acceptNotices: boolean;
  readonly parametersJson: string;
}

function pick(raw: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (raw[name] !== undefined && raw[name] !== null) return raw[name];
  return undefined;
}

function invalid(message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', message);
}

/**
 * Validates a LoadRequest from gRPC (already decoded) or from HTTP JSON, where proto3 JSON allows
 * both the camelCase and the original field names.
 */
export function parseLoadRequest(value: unknown): LoadRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('request body must be a JSON object (a LoadRequest)');
  }
  const raw = value as Record<string, unknown>;
  const text = (names: string[], fallback = ''): string => {
    const field = pick(raw, ...names);
    if (field === undefined) return fallback;
    if (typeof field !== 'string') throw invalid(`field ${names[0]} must be a string`);
    return field;
  };
  const flag = (names: string[]): boolean => {
    const field = pick(raw, ...names);
    if (field === undefined) return false;
    if (typeof field !== 'boolean') throw invalid(`field ${names[0]} must be a boolean`);
    return field;
  };
  const params = pick(raw, 'parameters') ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalid('field parameters must be a map of strings');
  }
  const parameters: Record<string, string> = {};
  for (const [key, param] of Object.entries(params)) {
    if (typeof param !== 'string') throw invalid(`parameter ${JSON.stringify(key)} must be a string`);
    parameters[key] = param;
  }
  const request = {
    location: text(['location']),
    parameters,
    verify: flag(['verify']),
    content: text(['content']),
    acceptNotices: flag(['acceptNotices', 'accept_notices']),
    parametersJson: text(['parametersJson', 'parameters_json']),
  };
  if (request.location === '' && request.content === '') throw invalid('location is required');
  return request;
}

/** Top-level params: the string map, overlaid by `parametersJson` (which keeps lists and maps). */
export function requestParams(request: LoadRequest): Record<string, unknown> {
  const params: Record<string, unknown> = { ...request.parameters };
  if (request.parametersJson !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.parametersJson);
    } catch {
      throw new ConvergeError('CNV_ERR_PARAM_MALFORMED', 'parametersJson is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConvergeError('CNV_ERR_PARAM_MALFORMED', 'parametersJson must be a JSON object');
    }
    Object.assign(params, parsed);
  }
  return params;
}

export interface JobContext {
  readonly cwd: string;
  readonly parallelism: number;
  readonly moduleTokens?: Readonly<Record<string, string>>;
}

export function toJobSpec(kind: JobSpec['kind'], request: LoadRequest, context: JobContext): JobSpec {
  return {
    kind,
    location: request.location === '' ? 'inline.hcl' : request.location,
    ...(request.content === '' ? {} : { content: request.content }),
    params: requestParams(request),
    cwd: context.cwd,
    parallelism: context.parallelism,
    ...(context.moduleTokens === undefined ? {} : { moduleTokens: context.moduleTokens }),
  };
}

function compactDetails(details: NodeDetails): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (details.messages.length > 0) out['messages'] = details.messages;
  if (Object.keys(details.changes).length > 0) out['changes'] = details.changes;
  if (details.hasChanges) out['hasChanges'] = true;
  if (details.error !== '') out['error'] = details.error;
  if (details.warning !== '') out['warning'] = details.warning;
  if (details.health !== undefined) out['health'] = details.health;
  return out;
}

/** StatusResponse for one numbered event, field order as the original printed it. */
export function statusResponse(event: NodeEvent, seq: number): Record<string, unknown> {
  const out: Record<string, unknown> = { id: event.id, stage: event.stage, run: event.run };
  if (event.details !== undefined) out['details'] = compactDetails(event.details);
  out['meta'] = { id: event.id };
  if (event.pass !== 0) out['pass'] = event.pass;
  out['seq'] = seq;
  return out;
}

export function noticeResponse(notice: QueuedNotice): Record<string, unknown> {
  return { notice: { ...notice } };
}

export function edgesNoticeResponse(runId: string, edges: readonly GraphEdge[]): Record<string, unknown> {
  return { notice: { kind: 'edges', runId, edges: JSON.stringify(edges) } };
}

/**
 * GraphComponent messages. `binary` chooses the form of `details` (bytes): a Buffer for gRPC, base64
 * text for JSON, as proto3 JSON prints bytes.
 */
export function graphComponents(
  vertices: readonly GraphVertex[],
  edges: readonly GraphEdge[],
  binary: boolean,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const vertex of vertices) {
    const bytes = Buffer.from(vertex.details, 'utf8');
    out.push({ vertex: { id: vertex.id, kind: vertex.kind, details: binary ? bytes : bytes.toString('base64') } });
  }
  for (const edge of edges) {
    out.push({ edge: { source: edge.source, dest: edge.dest, attributes: edge.attributes ?? [] } });
  }
  return out;
}
