/**
 * What both transports share: the executor context, authentication, module and binary serving, and
 * how a request becomes a JobSpec. server.ts builds one of these; grpc-service.ts and http-routes.ts
 * only translate.
 */
import { ConvergeError } from '../errors.js';
import type { JobKind, JobSpec, RunLimitValues } from '../protocol.js';
import type { PlanSigner } from './plan-signing.js';
import { savedPlanSpec } from './saved-plans.js';
import type { Authenticator } from './auth.js';
import type { BinaryServer } from './binary.js';
import type { ExecutorContext } from './executor.js';
import type { Lifecycle } from './lifecycle.js';
import { toJobSpec, type LoadRequest } from './wire/load-request.js';
import type { ModuleRoot } from './modules.js';
import type { RunStore } from '../store/run-store.js';

export interface FrontDoor extends ExecutorContext {
  readonly auth: Authenticator;
  /** null when module serving is off. */
  readonly modules: ModuleRoot | null;
  /** null when self-serve is off. */
  readonly binary: BinaryServer | null;
  readonly scheme: 'http' | 'https';
  /** Admission during shutdown, and the client streams a shutdown waits for. */
  readonly lifecycle: Lifecycle;
  /** Milliseconds an HTTP/1.1 connection may be silent while it streams no job. */
  readonly idleTimeoutMs: number;
  /** The run store; undefined when runs are kept in memory only. */
  readonly store?: RunStore;
  /** Builds the job for a request that arrived for `host` (the request's authority, if known). */
  spec(kind: JobKind, request: LoadRequest, host: string | undefined): JobSpec;
}

export interface SpecDefaults {
  readonly cwd: string;
  readonly parallelism: number;
  /** What each run may use (src/graph/limits.ts). */
  readonly limits: RunLimitValues;
  /** The server's token; null with --no-token. */
  readonly token: string | null;
  readonly scheme: 'http' | 'https';
  /** Origins that reach this server (scheme://host:port), besides the request's own authority. */
  readonly origins: readonly string[];
  /** Checks saved plans; without it, `saved_plan` and `save_plan` are refused. */
  readonly plans?: PlanSigner;
}

/**
 * The JobSpec for a request. With a token, every origin that reaches this server is given it, so the
 * engine can fetch modules from its own protected server (the original could not).
 */
export function specFor(defaults: SpecDefaults, kind: JobKind, request: LoadRequest, host: string | undefined): JobSpec {
  let moduleTokens: Record<string, string> | undefined;
  if (defaults.token !== null) {
    moduleTokens = {};
    for (const origin of defaults.origins) moduleTokens[origin] = defaults.token;
    if (host !== undefined && host !== '') {
      try {
        moduleTokens[new URL(`${defaults.scheme}://${host}`).origin] = defaults.token;
      } catch {
        // A malformed authority only loses this convenience; the job still runs.
      }
    }
  }
  const spec = toJobSpec(kind, request, {
    cwd: defaults.cwd,
    parallelism: defaults.parallelism,
    limits: defaults.limits,
    ...(moduleTokens === undefined ? {} : { moduleTokens }),
  });
  return withSavedPlan(defaults.plans, kind, request, spec);
}

/** A plan that asks to be saved records its module texts; an apply of a saved plan becomes that plan's job. */
function withSavedPlan(plans: PlanSigner | undefined, kind: JobKind, request: LoadRequest, spec: JobSpec): JobSpec {
  const refuse = (message: string): never => {
    throw new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', message);
  };
  if (request.savedPlan !== '') {
    if (kind !== 'apply') refuse('saved_plan is for apply only');
    if (plans === undefined) refuse('this server does not take saved plans');
    // The plan holds the texts of every module it read; uploaded files beside it would be ignored.
    if (Object.keys(request.files).length > 0) refuse('files is not used with saved_plan: the plan carries its module texts');
    return savedPlanSpec(plans!, request.savedPlan, spec);
  }
  if (request.savePlan) {
    if (kind !== 'plan') refuse('save_plan is for plan only');
    if (plans === undefined) refuse('this server does not save plans');
    return { ...spec, recordSources: true };
  }
  return spec;
}
