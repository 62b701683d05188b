/**
 * The Converge gRPC client used by the CLI (plan, apply, healthcheck, graph, ping) and by tests and
 * benchmarks. It mints a fresh 30-second JWT for every call, exposes executor streams as async
 * iterables (with backpressure: the server only sends as fast as the caller reads), and turns gRPC
 * failures back into ConvergeErrors with the server's own error code (status-map.ts). It holds the
 * channel and the calls; the messages are read and written in wire/.
 */
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_RPC_ADDR } from '../defaults.js';
import { mintToken } from '../jwt.js';
import type { GraphEdge, GraphVertex } from '../protocol.js';
import type { ConvergeError } from '../errors.js';
import { fromServiceError } from './status-map.js';
import { loadClientCa } from './tls.js';
import { diagnoseTls, type ProbeOptions } from './tls-diagnose.js';
import { collectComponent } from './wire/graph.js';
import { type StreamItem, streamItems } from './wire/executor-stream.js';
import type { LoadRequestInit, RunDetail, RunsListRequestInit, RunsListResponse, StatusResponse } from './wire/pb-types.js';
import { ExecutorService, GrapherService, InfoService, ResourceHostService, RunsService } from './wire/pb-services.js';

export interface ClientOptions {
  /** `host:port`; an empty host (`:4774`) means 127.0.0.1. @default '127.0.0.1:4774' */
  readonly address?: string;
  /** The RPC token; omit or null for servers started with --no-token. */
  readonly token?: string | null;
  /** The name of `token` in the server's --rpc-keys file, sent as the JWT's `kid`; omit for the shared token. */
  readonly keyName?: string;
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
  /** With `content`: the local modules it includes, by path relative to its directory (`--upload`). */
  readonly files?: Readonly<Record<string, string>>;
  readonly verify?: boolean;
  /** Plan only: ask the server for a signed plan file at the end (a `saved-plan` item). */
  readonly savePlan?: boolean;
  /** Apply only: the text of a saved plan file to apply exactly. */
  readonly savedPlan?: string;
}

export type { StreamItem } from './wire/executor-stream.js';
export { fromServiceError } from './status-map.js';

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

const TLS_NAME_FOR_IP_TARGETS = 'converge.invalid';

function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed !== null) return bracketed[1]!;
  const colon = address.lastIndexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
}

function portOf(address: string): number {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  return colon < 0 || !Number.isInteger(port) ? 0 : port;
}

function normaliseAddress(address: string): string {
  return address.startsWith(':') ? `127.0.0.1${address}` : address;
}

function loadRequest(request: ClientLoadRequest): LoadRequestInit {
  return {
    location: request.location,
    parameters: { ...request.params },
    verify: request.verify ?? false,
    content: request.content ?? '',
    acceptNotices: true,
    parametersJson: request.paramsJson === undefined ? '' : JSON.stringify(request.paramsJson),
    savePlan: request.savePlan ?? false,
    savedPlan: request.savedPlan ?? '',
    files: { ...request.files },
  };
}

type ExecutorMethod = 'Plan' | 'Apply' | 'HealthCheck';

/** What a unary call needs of a generated method definition. */
interface UnaryMethod<Req, Res> {
  readonly path: string;
  readonly requestSerialize: (message: Req) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Res;
}

export class ConvergeClient {
  readonly address: string;
  readonly #token: string | null;
  readonly #keyName: string | undefined;
  /** One channel for every service. */
  readonly #client: grpc.Client;
  /** How this client speaks to the server, for explaining a failed connection. */
  readonly #probe: ProbeOptions;

  constructor(options: ClientOptions = {}) {
    this.address = normaliseAddress(options.address ?? DEFAULT_RPC_ADDR);
    this.#token = options.token ?? null;
    this.#keyName = options.keyName;
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
    const ca = options.caFile === undefined ? undefined : loadClientCa(options.caFile);
    const credentials = useTls ? grpc.credentials.createSsl(ca ?? null, null, null, verify) : grpc.credentials.createInsecure();
    this.#client = new grpc.Client(this.address, credentials, channelOptions);
    this.#probe = {
      host,
      port: portOf(this.address),
      useTls,
      ...(ca !== undefined ? { ca } : {}),
      ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    };
  }

  /**
   * The error for a failed call. When the server could not be reached, a TLS problem (untrusted or
   * expired certificate, TLS on one side only) is named instead of OpenSSL's or grpc-js's words.
   */
  async #failure(error: unknown): Promise<ConvergeError> {
    const converted = fromServiceError(error, this.address);
    if (converted.code !== 'CNV_ERR_SERVER_UNREACHABLE' || this.#probe.port === 0) return converted;
    return (await diagnoseTls(this.address, this.#probe)) ?? converted;
  }

  async #metadata(): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    if (this.#token !== null) metadata.set('authorization', `BEARER ${await mintToken(this.#token, Date.now(), this.#keyName)}`);
    return metadata;
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

  #execute(name: ExecutorMethod, request: ClientLoadRequest): ExecutorStream {
    return this.#stream(ExecutorService[name], loadRequest(request));
  }

  /**
   * Follows run `id` from event `fromSeq` (1 = from the start) until it ends: the stored events first,
   * then the live ones, each seq once. The items are those of plan/apply (`start`, then `node`s).
   */
  watch(id: string, fromSeq = 1): ExecutorStream {
    return this.#stream(RunsService.Watch, { id, fromSeq });
  }

  /** Runs known to the server, newest first (see RunsListRequest for the filters). */
  async listRuns(request: RunsListRequestInit = {}): Promise<RunsListResponse> {
    return this.#unary(RunsService.List, request);
  }

  /** One run with its node results; CNV_ERR_RUN_NOT_FOUND when the server does not know it. */
  async getRun(id: string): Promise<RunDetail> {
    return this.#unary(RunsService.Get, { id });
  }

  #stream<Req>(method: UnaryMethod<Req, StatusResponse>, message: Req): ExecutorStream {
    let call: grpc.ClientReadableStream<StatusResponse> | undefined;
    let cancelled = false;
    const failure = (error: unknown): Promise<ConvergeError> => this.#failure(error);
    const open = async (): Promise<grpc.ClientReadableStream<StatusResponse>> => {
      const metadata = await this.#metadata();
      call = this.#client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, message, metadata);
      if (cancelled) call.cancel();
      return call;
    };
    async function* iterate(): AsyncGenerator<StreamItem> {
      const stream = await open();
      let header: grpc.Metadata | undefined;
      stream.on('metadata', (metadata: grpc.Metadata) => {
        header = metadata;
      });
      try {
        yield* streamItems(stream, () => header);
      } catch (error) {
        if (cancelled) return;
        throw await failure(error);
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
    const method = GrapherService.Graph;
    const metadata = await this.#metadata();
    const call = this.#client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, loadRequest(request), metadata);
    let runId = '';
    call.on('metadata', (md: grpc.Metadata) => {
      runId = String(md.get('run-id')[0] ?? '');
    });
    const vertices: GraphVertex[] = [];
    const edges: GraphEdge[] = [];
    try {
      for await (const component of call) collectComponent(component, vertices, edges);
    } catch (error) {
      throw await this.#failure(error);
    }
    return { runId, vertices, edges };
  }

  async #unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    const metadata = await this.#metadata();
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, (error, value) => {
        if (error !== null || value === undefined) this.#failure(error).then(reject, reject);
        else resolve(value);
      });
    });
  }

  /** Resolves when the server answers (and accepts the token). */
  async ping(): Promise<void> {
    await this.#unary(InfoService.Ping, {});
  }

  /** Fetches a module served from the server's `--root`. */
  async getModule(location: string): Promise<string> {
    return (await this.#unary(ResourceHostService.GetModule, { location })).content;
  }

  close(): void {
    this.#client.close();
  }
}
