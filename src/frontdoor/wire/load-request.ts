/**
 * LoadRequest in and the JobSpec out: reading a request from gRPC (already decoded by the generated
 * codec) or from HTTP JSON (proto3 JSON allows both the camelCase and the original field names), and
 * the job that it asks for.
 */
import { ConvergeError } from '../../errors.js';
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
    return { location: '', parameters: {}, verify: false, content: '', acceptNotices: false, parametersJson: '', savePlan: false, savedPlan: JSON.stringify(value) };
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
  const params = pick(raw, 'parameters') ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalid('field parameters must be a map of strings');
  }
  const parameters: Record<string, string> = {};
  for (const [key, param] of Object.entries(params)) {
    if (typeof param !== 'string') throw invalid(`parameter ${JSON.stringify(key)} must be a string`);
    Object.defineProperty(parameters, key, { value: param, enumerable: true, writable: true, configurable: true });
  }
  return checkLoadRequest({
    location: text(['location']),
    parameters,
    verify: flag(['verify']),
    content: text(['content']),
    acceptNotices: flag(['acceptNotices', 'accept_notices']),
    parametersJson: text(['parametersJson', 'parameters_json']),
    savePlan: flag(['savePlan', 'save_plan']),
    savedPlan: text(['savedPlan', 'saved_plan']),
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

export function toJobSpec(kind: JobSpec['kind'], request: LoadRequest, context: JobContext): JobSpec {
  return {
    kind,
    location: request.location === '' ? 'inline.hcl' : request.location,
    ...(request.content === '' ? {} : { content: request.content }),
    params: requestParams(request),
    cwd: context.cwd,
    parallelism: context.parallelism,
    ...(context.moduleTokens === undefined ? {} : { moduleTokens: context.moduleTokens }),
    ...(context.limits === undefined ? {} : { limits: context.limits }),
  };
}
