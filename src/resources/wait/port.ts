/**
 * `wait.port`: waits until a TCP port accepts connections, with the retry loop of wait.ts.
 */
import { connect } from 'node:net';
import { makeStatus, failedStatus } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import { RETRY_FIELDS, retryOptions, retrySummary, retryUntil, type RetryOptions } from './wait.js';

/** A dial that hangs (a dropped SYN) counts as closed after this long. */
const DIAL_TIMEOUT_MS = 10_000;

/** Resolves true when a TCP connection to host:port opens, false when it is refused or fails. */
export function canConnect(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(alive);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), DIAL_TIMEOUT_MS);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

class WaitPort implements Task {
  readonly #host: string;
  readonly #port: number;
  readonly #options: RetryOptions;

  constructor(host: string, port: number, options: RetryOptions) {
    this.#host = host;
    this.#port = port;
    this.#options = options;
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    if (await canConnect(this.#host, this.#port, ctx.signal)) return makeStatus(StatusLevel.NoChange);
    return makeStatus(StatusLevel.WillChange, {
      messages: [`${this.#address()} is not accepting connections`],
    });
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    try {
      const outcome = await retryUntil(this.#options, ctx, async () => {
        const alive = await canConnect(this.#host, this.#port, ctx.signal);
        if (ctx.signal.aborted) throw new ConvergeError('CNV_ERR_JOB_CANCELLED', 'cancelled');
        return alive;
      });
      return makeStatus(outcome.passed ? StatusLevel.NoChange : StatusLevel.WillChange, {
        messages: [retrySummary(outcome)],
      });
    } catch (error) {
      if (error instanceof ConvergeError && error.code === 'CNV_ERR_JOB_CANCELLED') throw error;
      return failedStatus(`failed to check connection: ${getErrorMessage(error)}`);
    }
  }

  exported(): Readonly<Record<string, unknown>> {
    return { host: this.#host, port: this.#port };
  }

  #address(): string {
    return this.#host.includes(':') ? `[${this.#host}]:${this.#port}` : `${this.#host}:${this.#port}`;
  }
}

export const waitPort: ResourceDefinition = {
  kind: 'wait.port',
  doc: 'Waits until a TCP port accepts connections, retrying at an interval up to max_retry times.',
  fields: [
    { name: 'host', type: 'string', doc: 'Host name or IP address to connect to; localhost when not set.', default: 'localhost' },
    { name: 'port', type: 'int', doc: 'The TCP port to connect to.', required: true },
    ...RETRY_FIELDS,
  ],
  exports: ['host', 'port'],
  prepare(fields: DecodedFields, _ctx: PrepareContext): Task {
    const host = (fields['host'] as string) === '' ? 'localhost' : (fields['host'] as string);
    return new WaitPort(host, fields['port'] as number, retryOptions(fields));
  },
};
