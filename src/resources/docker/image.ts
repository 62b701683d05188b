/**
 * `docker.image`: an image that must be present in the engine, pulled when it is not.
 */
import type { Readable } from 'node:stream';
import { ConvergeError } from '../../errors.js';
import { dockerEngine, dockerFailure, type DockerEngine } from './client.js';
import { makeStatus, textDiff } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

const IMAGE_MISSING = '<image-missing>';
/** Repeated "Downloading" events for one layer are passed to the live progress at most this often. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Reduces a reference to the form both engines list: Docker shows `busybox:latest` where podman shows
 * `docker.io/library/busybox:latest`.
 */
export function normalizeImageRef(ref: string): string {
  return ref.toLowerCase().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
}

/** Finds a local image by repo tag or ID; undefined when there is none. */
export async function findImage(
  engine: DockerEngine,
  ref: string,
): Promise<{ readonly id: string; readonly repoTags: readonly string[] } | undefined> {
  const images = await engine.call('list images', (api) => api.listImages({ all: true }));
  const wanted = normalizeImageRef(ref);
  const found = images.find(
    (image) =>
      image.Id === ref ||
      image.Id === `sha256:${ref}` ||
      (image.RepoTags ?? []).some((tag) => normalizeImageRef(tag) === wanted),
  );
  return found === undefined ? undefined : { id: found.Id, repoTags: found.RepoTags ?? [] };
}

interface PullEvent {
  readonly id?: string;
  readonly status?: string;
  readonly progress?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

class DockerImage implements Task {
  readonly #engine: DockerEngine;
  readonly #name: string;
  readonly #tag: string;
  readonly #inactivityMs: number | undefined;

  constructor(engine: DockerEngine, name: string, tag: string, inactivityMs: number | undefined) {
    this.#engine = engine;
    this.#name = name;
    this.#tag = tag;
    this.#inactivityMs = inactivityMs;
  }

  get #repoTag(): string {
    return `${this.#name}:${this.#tag}`;
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const repoTag = this.#repoTag;
    try {
      const image = await findImage(this.#engine, repoTag);
      if (image === undefined) {
        return makeStatus(StatusLevel.WillChange, {
          messages: [`image ${repoTag} is missing`],
          diffs: { image: textDiff('', repoTag, IMAGE_MISSING) },
        });
      }
      return makeStatus(StatusLevel.NoChange, { messages: [`image ${repoTag} is present (${image.id})`] });
    } catch (error) {
      return dockerFailure(error);
    }
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const repoTag = this.#repoTag;
    const messages: string[] = [];
    try {
      const stream = (await this.#engine.call(`pull image ${repoTag}`, (api) =>
        api.pull(repoTag, { abortSignal: ctx.signal }),
      )) as Readable;
      const layers = await this.#follow(stream, ctx);
      for (const [layer, status] of layers) messages.push(layer === '' ? status : `${layer}: ${status}`);
      messages.push(`pulled ${repoTag}`);
      return makeStatus(StatusLevel.WillChange, { messages, diffs: { image: textDiff('', repoTag, IMAGE_MISSING) } });
    } catch (error) {
      return dockerFailure(error, messages);
    }
  }

  /**
   * Reads the pull's JSON-lines stream to its end. Returns the last status of each layer (key '' for
   * lines without a layer). Fails on an `error` line, on cancellation, and when no data arrives for
   * `inactivity_timeout`.
   */
  #follow(stream: Readable, ctx: RunContext): Promise<Map<string, string>> {
    const layers = new Map<string, string>();
    const lastShown = new Map<string, { status: string; at: number }>();
    const repoTag = this.#repoTag;
    return new Promise((resolve, reject) => {
      let buffered = '';
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        if (error === undefined) {
          resolve(layers);
        } else {
          stream.destroy();
          reject(error);
        }
      };
      const arm = (): void => {
        if (this.#inactivityMs === undefined || this.#inactivityMs <= 0) return;
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => {
          finish(
            new ConvergeError(
              'CNV_ERR_DOCKER_API',
              `pull image ${repoTag}: no data for ${this.#inactivityMs! / 1000}s (inactivity_timeout)`,
            ),
          );
        }, this.#inactivityMs);
      };
      const onAbort = (): void => finish(new ConvergeError('CNV_ERR_JOB_CANCELLED', `pull image ${repoTag}: cancelled`));
      const onLine = (line: string): void => {
        if (line.trim() === '') return;
        let event: PullEvent;
        try {
          event = JSON.parse(line) as PullEvent;
        } catch {
          return; // engines may interleave non-JSON keep-alive text; it carries no state
        }
        const failure = event.errorDetail?.message ?? event.error;
        if (failure !== undefined) {
          finish(new ConvergeError('CNV_ERR_DOCKER_API', `pull image ${repoTag}: ${failure}`));
          return;
        }
        if (event.status === undefined) return;
        const layer = event.id ?? '';
        layers.set(layer, event.status);
        this.#report(ctx, lastShown, layer, event);
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal.aborted) {
        onAbort();
        return;
      }
      arm();
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        arm();
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
      stream.on('end', () => {
        onLine(buffered);
        finish();
      });
      stream.on('error', (error: Error) => finish(this.#engine.wrap(`pull image ${repoTag}`, error)));
    });
  }

  /** Passes a pull event to the live progress, thinning repeats of one layer's status. */
  #report(
    ctx: RunContext,
    lastShown: Map<string, { status: string; at: number }>,
    layer: string,
    event: PullEvent,
  ): void {
    if (ctx.progress === undefined || event.status === undefined) return;
    const now = Date.now();
    const previous = lastShown.get(layer);
    if (previous !== undefined && previous.status === event.status && now - previous.at < PROGRESS_INTERVAL_MS) return;
    lastShown.set(layer, { status: event.status, at: now });
    const text = [layer === '' ? '' : `${layer}:`, event.status, event.progress ?? ''].filter((p) => p !== '').join(' ');
    try {
      ctx.progress(text);
    } catch {
      // Progress is advisory; a closed channel must not fail the pull.
    }
  }

  exported(): Readonly<Record<string, unknown>> {
    return { name: this.#name, tag: this.#tag };
  }
}

export const dockerImage: ResourceDefinition = {
  kind: 'docker.image',
  doc: 'An image in the Docker engine named by DOCKER_HOST; pulled when it is not present.',
  fields: [
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'Name of the image to pull.' },
    { name: 'tag', type: 'string', default: 'latest', doc: 'Tag of the image to pull. Default: latest.' },
    {
      name: 'inactivity_timeout',
      type: 'duration',
      doc: 'Time to wait after a period of inactivity during the pull; it is reset each time new data arrives.',
    },
  ],
  exports: ['name', 'tag'],
  prepare(fields: DecodedFields, _ctx: PrepareContext): Task {
    const tag = typeof fields['tag'] === 'string' && fields['tag'] !== '' ? fields['tag'] : 'latest';
    const timeout = typeof fields['inactivity_timeout'] === 'number' ? fields['inactivity_timeout'] : undefined;
    return new DockerImage(dockerEngine(), String(fields['name']), tag, timeout);
  },
};
