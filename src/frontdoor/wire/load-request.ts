/**
 * LoadRequest in and the JobSpec out: reading a request from gRPC (already decoded by the generated
 * codec) or from HTTP JSON (proto3 JSON allows both the camelCase and the original field names), and
 * the job that it asks for.
 */
import { ConvergeError } from '../../errors.js';
import { checkUpload } from '../../graph/uploads.js';
import { isPlanFileObject } from '../../plan-file.js';
import type { JobSpec, RunLimitValues } from '../../protocol.js';
import type { LoadRequest } from './pb-types.js';

export type { LoadRequest } from './pb-types.js';

function pick(raw: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (raw[name] !== undefined && raw[name] !== null) return raw[name];
  return undefined;
}

function invalid(message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', message);
}

/** Refuses a request that names no module. */
export function checkLoadRequest(request: LoadRequest): LoadRequest {
  if (request.location === '' && request.content === '' && request.savedPlan === '') throw invalid('location is required');
  return request;
}

/**
 * Reads a LoadRequest from an HTTP body, naming the first field of the wrong type. A body that is a
 * saved plan file itself (`curl --data-binary @plan.cvg .../apply`) is an apply of that plan.
 */
export function loadRequestFromJson(value: unknown): LoadRequest {
  if (isPlanFileObject(value)) {
    return { location: '', parameters: {}, verify: false, content: '', acceptNotices: false, parametersJson: '', savePlan: false, savedPlan: JSON.stringify(value), files: {} };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('request body must be a JSON object (a LoadRequest)');
  }
  const raw = value as Record<string, unknown>;
  const text = (names: string[]): string => {
    const field = pick(raw, ...names);
    if (field === undefined) return '';
    if (typeof field !== 'string') throw invalid(`field ${names[0]} must be a string`);
    return field;
  };
  const flag = (names: string[]): boolean => {
    const field = pick(raw, ...names);
    if (field === undefined) return false;
    if (typeof field !== 'boolean') throw invalid(`field ${names[0]} must be a boolean`);
    return field;
  };
  const stringMap = (name: string, entry: string): Record<string, string> => {
    const field = pick(raw, name) ?? {};
    if (typeof field !== 'object' || field === null || Array.isArray(field)) throw invalid(`field ${name} must be a map of strings`);
    const map: Record<string, string> = {};
    for (const [key, value] of Object.entries(field)) {
      if (typeof value !== 'string') throw invalid(`${entry} ${JSON.stringify(key)} must be a string`);
      // defineProperty: a key named __proto__ is an entry like any other, not the map's prototype.
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return map;
  };
  const parameters = stringMap('parameters', 'parameter');
  return checkLoadRequest({
    location: text(['location']),
    parameters,
    verify: flag(['verify']),
    content: text(['content']),
    acceptNotices: flag(['acceptNotices', 'accept_notices']),
    parametersJson: text(['parametersJson', 'parameters_json']),
    savePlan: flag(['savePlan', 'save_plan']),
    savedPlan: text(['savedPlan', 'saved_plan']),
    files: stringMap('files', 'file'),
  });
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
  readonly limits?: RunLimitValues;
}

/**
 * The job a request asks for. Uploaded files are checked here, before the job is queued: a key that
 * escapes the top module's directory or an upload past the limit is the request's own error.
 */
export function toJobSpec(kind: JobSpec['kind'], request: LoadRequest, context: JobContext): JobSpec {
  const uploads = Object.keys(request.files).length > 0;
  if (uploads) checkUpload(request.content, request.files);
  return {
    kind,
    location: request.location === '' ? 'inline.hcl' : request.location,
    ...(request.content === '' ? {} : { content: request.content }),
    ...(uploads ? { files: request.files } : {}),
    params: requestParams(request),
    cwd: context.cwd,
    parallelism: context.parallelism,
    ...(context.moduleTokens === undefined ? {} : { moduleTokens: context.moduleTokens }),
    ...(context.limits === undefined ? {} : { limits: context.limits }),
  };
}
