/**
 * The Converge gRPC client used by the CLI (plan, apply, healthcheck, graph, ping) and by tests and
 * benchmarks. It mints a fresh 30-second JWT for every call, exposes executor streams as async
 * iterables (with backpressure: the server only sends as fast as the caller reads), and turns gRPC
 * failures back into ConvergeErrors with the server's own error code.
 */
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_RPC_ADDR } from '../defaults.js';
import { ConvergeError, isErrorCode, type ErrorCode } from '../errors.js';
import { mintToken } from '../jwt.js';
import type { GraphEdge, GraphVertex, HealthDetails, NodeDetails, NodeEvent } from '../protocol.js';
import { loadConvergeProto } from './proto.js';
import type { QueuedNotice } from './runs.js';
import { ERROR_CODE_METADATA } from './status-map.js';
import { loadClientCa } from './tls.js';

export interface ClientOptions {
  /** `host:port`; an empty host (`:4774`) means 127.0.0.1. @default '127.0.0.1:4774' */
  readonly address?: string;
  /** The RPC token; omit or null for servers started with --no-token. */
  readonly token?: string | null;
  /** Use TLS (`--use-ssl`). @default false */
  readonly useSsl?: boolean;
  /** CA to trust for TLS (`--ca-file`); the system roots otherwise. */
  readonly caFile?: string;
  /** Give this client its own TCP connection instead of sharing one per target. @default false */
  readonly ownConnection?: boolean;
}

/** What the client asks to run. */
export interface ClientLoadRequest {
  /** Module path or URL, resolved on the server. With `content`, only a name and base. */
  readonly location: string;
  /** Params as strings (the original's `-p`). */
  readonly params?: Readonly<Record<string, string>>;
  /** Params that keep their JSON types (lists, maps); sent in our own field. */
  readonly paramsJson?: Readonly<Record<string, unknown>>;
  /** The module text itself, sent inline (the original's issue #624). */
  readonly content?: string;
  readonly verify?: boolean;
}

/** One item of an executor stream. `start` comes exactly once, before any `node`. */
export type StreamItem =
  | { readonly type: 'queued'; readonly notice: QueuedNotice }
  | { readonly type: 'start'; readonly runId: string; readonly edges: readonly GraphEdge[] }
  | { readonly type: 'node'; readonly seq: number; readonly event: NodeEvent };

/** A cancellable executor stream. */
export interface ExecutorStream extends AsyncIterable<StreamItem> {
  /** Stops the stream (the server then cancels a plan; an apply runs to completion). */
  cancel(): void;
}

export interface GraphResult {
  readonly runId: string;
  readonly vertices: readonly GraphVertex[];
  readonly edges: readonly GraphEdge[];
}

/** Maps a gRPC status to our error code when the server did not send one (other servers, transport). */
function codeForStatus(code: grpc.status): ErrorCode {
  switch (code) {
    case grpc.status.UNAUTHENTICATED:
      return 'CNV_ERR_AUTH_INVALID';
    case grpc.status.RESOURCE_EXHAUSTED:
      return 'CNV_ERR_QUEUE_FULL';
    case grpc.status.UNAVAILABLE:
      return 'CNV_ERR_SERVER_UNREACHABLE';
    case grpc.status.CANCELLED:
      return 'CNV_ERR_JOB_CANCELLED';
    case grpc.status.DEADLINE_EXCEEDED:
      return 'CNV_ERR_JOB_TIMEOUT';
    case grpc.status.INVALID_ARGUMENT:
      return 'CNV_ERR_SERVER_REQUEST_INVALID';
    default:
      return 'CNV_ERR_INTERNAL';
  }
}

/** Rebuilds a ConvergeError from a gRPC error, keeping the server's code when it sent one. */
export function fromServiceError(error: unknown, address: string): ConvergeError {
  const service = error as Partial<grpc.ServiceError>;
  if (typeof service.code !== 'number') return new ConvergeError('CNV_ERR_INTERNAL', String(error));
  const sent = service.metadata?.get(ERROR_CODE_METADATA)[0];
  const code = isErrorCode(sent) ? sent : codeForStatus(service.code);
  const message =
    service.code === grpc.status.UNAVAILABLE && !isErrorCode(sent)
      ? `cannot reach converge server at ${address}: ${service.details ?? ''}`
      : (service.details ?? 'request failed');
  return new ConvergeError(code, message, { grpcCode: service.code });
}

const TLS_NAME_FOR_IP_TARGETS = 'converge.invalid';

function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed !== null) return bracketed[1]!;
  const colon = address.lastIndexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
}

function normaliseAddress(address: string): string {
  return address.startsWith(':') ? `127.0.0.1${address}` : address;
}

function toNodeEvent(message: Record<string, unknown>): NodeEvent {
  const id = String((message['meta'] as { id?: string } | undefined)?.id || message['id'] || '');
  const raw = message['details'] as Record<string, unknown> | null | undefined;
  const event = {
    id,
    stage: message['stage'] === 'APPLY' ? 'APPLY' : 'PLAN',
    run: message['run'] === 'FINISHED' ? 'FINISHED' : 'STARTED',
    pass: Number(message['pass'] ?? 0),
  } as const;
  if (raw === null || raw === undefined || event.run !== 'FINISHED') return event;
  const health = raw['health'] as { level?: string; failingDependencies?: string[] } | null | undefined;
  const details: NodeDetails = {
    messages: (raw['messages'] as string[] | undefined) ?? [],
    changes: (raw['changes'] as NodeDetails['changes'] | undefined) ?? {},
    hasChanges: raw['hasChanges'] === true,
    error: (raw['error'] as string | undefined) ?? '',
    warning: (raw['warning'] as string | undefined) ?? '',
    ...(health === null || health === undefined || !health.level
      ? {}
      : { health: { level: health.level, failingDependencies: health.failingDependencies ?? [] } as HealthDetails }),
  };
  return { ...event, details };
}

export class ConvergeClient {
  readonly address: string;
  readonly #token: string | null;
  readonly #clients: {
    executor: grpc.Client;
    grapher: grpc.Client;
    info: grpc.Client;
    resources: grpc.Client;
  };

  constructor(options: ClientOptions = {}) {
    this.address = normaliseAddress(options.address ?? DEFAULT_RPC_ADDR);
    this.#token = options.token ?? null;
    const useTls = options.useSsl === true || options.caFile !== undefined;
    const host = hostOf(this.address);
    const channelOptions: grpc.ChannelOptions = {
      // A large graph's `edges` notice is one message well over grpc's 4 MiB default (about 20 MB of
      // JSON for 100,000 nodes); refusing it would fail the whole run after the server did the work.
      'grpc.max_receive_message_length': -1,
      ...(options.ownConnection === true ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
    };
    let verify: grpc.VerifyOptions = {};
    if (useTls && isIP(host) !== 0) {
      // grpc-js would send the IP address as the TLS server name, which Node deprecates (DEP0123) and
      // prints to the user. Send a neutral name instead, and check the certificate against the IP.
      channelOptions['grpc.ssl_target_name_override'] = TLS_NAME_FOR_IP_TARGETS;
      verify = { checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert) };
    }
    const credentials = useTls
      ? grpc.credentials.createSsl(options.caFile === undefined ? null : loadClientCa(options.caFile), null, null, verify)
      : grpc.credentials.createInsecure();
    const pb = loadConvergeProto().pb;
    const executor = new pb.Executor(this.address, credentials, channelOptions);
    // One channel for all services: the other stubs reuse the executor's.
    const shared = { channelOverride: executor.getChannel() };
    this.#clients = {
      executor,
      grapher: new pb.Grapher(this.address, credentials, shared),
      info: new pb.Info(this.address, credentials, shared),
      resources: new pb.ResourceHost(this.address, credentials, shared),
    };
  }

  async #metadata(): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    if (this.#token !== null) metadata.set('authorization', `BEARER ${await mintToken(this.#token)}`);
    return metadata;
  }

  #request(request: ClientLoadRequest): Record<string, unknown> {
    return {
      location: request.location,
      parameters: request.params ?? {},
      verify: request.verify ?? false,
      content: request.content ?? '',
      acceptNotices: true,
      parametersJson: request.paramsJson === undefined ? '' : JSON.stringify(request.paramsJson),
    };
  }

  plan(request: ClientLoadRequest): ExecutorStream {
    return this.#execute('Plan', request);
  }
  apply(request: ClientLoadRequest): ExecutorStream {
    return this.#execute('Apply', request);
  }
  healthcheck(request: ClientLoadRequest): ExecutorStream {
    return this.#execute('HealthCheck', request);
  }

  #execute(method: 'Plan' | 'Apply' | 'HealthCheck', request: ClientLoadRequest): ExecutorStream {
    let call: grpc.ClientReadableStream<Record<string, unknown>> | undefined;
    let cancelled = false;
    const address = this.address;
    const open = async (): Promise<grpc.ClientReadableStream<Record<string, unknown>>> => {
      const metadata = await this.#metadata();
      const stub = this.#clients.executor as unknown as Record<
        string,
        (req: unknown, md: grpc.Metadata) => grpc.ClientReadableStream<Record<string, unknown>>
      >;
      call = stub[method]!.call(this.#clients.executor, this.#request(request), metadata);
      if (cancelled) call.cancel();
      return call;
    };
    async function* iterate(): AsyncGenerator<StreamItem> {
      const stream = await open();
      let header: grpc.Metadata | undefined;
      stream.on('metadata', (metadata: grpc.Metadata) => {
        header = metadata;
      });
      let started = false;
      try {
        for await (const message of stream as AsyncIterable<Record<string, unknown>>) {
          const notice = message['notice'] as Record<string, unknown> | null | undefined;
          if (notice !== null && notice !== undefined && notice['kind'] !== undefined && notice['kind'] !== '') {
            if (notice['kind'] === 'edges') {
              started = true;
              yield { type: 'start', runId: String(notice['runId']), edges: JSON.parse(String(notice['edges'])) as GraphEdge[] };
            } else {
              yield { type: 'queued', notice: notice as unknown as QueuedNotice };
            }
            continue;
          }
          if (!started) {
            started = true;
            const edges = header?.get('edges')[0];
            yield {
              type: 'start',
              runId: String(header?.get('run-id')[0] ?? ''),
              edges: typeof edges === 'string' ? (JSON.parse(edges) as GraphEdge[]) : [],
            };
          }
          yield { type: 'node', seq: Number(message['seq'] ?? 0), event: toNodeEvent(message) };
        }
        // A run with no nodes still announces itself.
        if (!started && header !== undefined) {
          const edges = header.get('edges')[0];
          yield {
            type: 'start',
            runId: String(header.get('run-id')[0] ?? ''),
            edges: typeof edges === 'string' ? (JSON.parse(edges) as GraphEdge[]) : [],
          };
        }
      } catch (error) {
        if (cancelled) return;
        throw fromServiceError(error, address);
      }
    }
    const generator = iterate();
    return {
      [Symbol.asyncIterator]: () => generator,
      cancel: () => {
        cancelled = true;
        call?.cancel();
      },
    };
  }

  /** Loads and builds a module without running it: all vertices and edges. */
  async graph(request: ClientLoadRequest): Promise<GraphResult> {
    const metadata = await this.#metadata();
    const stub = this.#clients.grapher as unknown as {
      Graph(req: unknown, md: grpc.Metadata): grpc.ClientReadableStream<Record<string, unknown>>;
    };
    const call = stub.Graph(this.#request(request), metadata);
    let runId = '';
    call.on('metadata', (md: grpc.Metadata) => {
      runId = String(md.get('run-id')[0] ?? '');
    });
    const vertices: GraphVertex[] = [];
    const edges: GraphEdge[] = [];
    try {
      for await (const component of call as AsyncIterable<Record<string, Record<string, unknown> | undefined>>) {
        const vertex = component['vertex'];
        const edge = component['edge'];
        if (vertex) {
          const details = vertex['details'];
          vertices.push({
            id: String(vertex['id']),
            kind: String(vertex['kind']),
            details: Buffer.isBuffer(details) ? details.toString('utf8') : String(details ?? ''),
          });
        } else if (edge) {
          const attributes = (edge['attributes'] as string[] | undefined) ?? [];
          edges.push({ source: String(edge['source']), dest: String(edge['dest']), attributes: attributes.length === 0 ? null : attributes });
        }
      }
    } catch (error) {
      throw fromServiceError(error, this.address);
    }
    return { runId, vertices, edges };
  }

  #unary(client: grpc.Client, method: string, request: unknown): Promise<Record<string, unknown>> {
    return this.#metadata().then(
      (metadata) =>
        new Promise((resolve, reject) => {
          const stub = client as unknown as Record<
            string,
            (req: unknown, md: grpc.Metadata, cb: (error: grpc.ServiceError | null, value?: Record<string, unknown>) => void) => void
          >;
          stub[method]!.call(client, request, metadata, (error, value) => {
            if (error !== null) reject(fromServiceError(error, this.address));
            else resolve(value ?? {});
          });
        }),
    );
  }

  /** Resolves when the server answers (and accepts the token). */
  async ping(): Promise<void> {
    await this.#unary(this.#clients.info, 'Ping', {});
  }

  /** Fetches a module served from the server's `--root`. */
  async getModule(location: string): Promise<string> {
    const response = await this.#unary(this.#clients.resources, 'GetModule', { location });
    return String(response['content'] ?? '');
  }

  close(): void {
    this.#clients.executor.close();
  }
}
