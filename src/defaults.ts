/**
 * The one home of the defaults that more than one layer needs: addresses, ports, parallelism and the
 * server's limits. A leaf module (it imports nothing), so the CLI, the front door, the workers and the
 * engine can all read it without an import running against the flow. Each value says its unit.
 */

/** The server's TCP port, as in the original. */
export const DEFAULT_PORT = 4774;
/** Where a client looks for a server. */
export const DEFAULT_RPC_ADDR = `127.0.0.1:${DEFAULT_PORT}`;
/** Where `converge server` listens: every interface, as the original did. */
export const DEFAULT_SERVER_ADDR = `0.0.0.0:${DEFAULT_PORT}`;
/** Where `--local` starts its in-process server. */
export const DEFAULT_LOCAL_ADDR = '127.0.0.1:47740';

/** Nodes checked or applied at once, per run, when neither the client nor the server says. */
export const DEFAULT_PARALLELISM = 16;

// --- load: admission, the worker pool and node scheduling (`converge server` flags in brackets) ---

/** Worker threads; 0 means one per available core, os.availableParallelism() [--worker-threads]. */
export const DEFAULT_WORKER_THREADS = 0;
/** Plans, healthchecks and graphs loaded and walking at once, server-wide [--max-running-jobs]. */
export const DEFAULT_MAX_RUNNING_JOBS = 1024;
/** Jobs waiting for a start (past --max-running-jobs, or applies behind an apply) [--max-waiting]. */
export const DEFAULT_MAX_WAITING = 4096;
/** Estimated memory of every admitted job, running and waiting, in MiB [--max-queue-memory]. */
export const DEFAULT_MAX_QUEUE_MEMORY_MB = 1024;
/** What one admitted job is assumed to hold on the server before its request is counted, in bytes. */
export const JOB_BASE_COST_BYTES = 192 * 1024;
/** Node checks and applies in flight, server-wide, shared fairly across runs [--max-running-nodes]. */
export const DEFAULT_MAX_RUNNING_NODES = 256;
/** Old-generation heap of one worker thread, in MiB; past it the thread's jobs fail [--worker-memory]. */
export const DEFAULT_WORKER_MEMORY_MB = 1024;
/** Milliseconds a cancelled job may take to stop before its worker thread is replaced [--cancel-grace]. */
export const DEFAULT_CANCEL_GRACE_MS = 750;
/** How long our client retries a job the server refused as busy, in milliseconds. */
export const DEFAULT_CLIENT_RETRY_BUDGET_MS = 60_000;

// --- guard: connections, shutdown and what the server retains (`converge server` flags in brackets) ---

/**
 * Open connections, server-wide [--max-connections]. Well above the 1,000 concurrent clients the
 * server is sized for. At start-up it is lowered to fit the process's open-file limit, keeping
 * RESERVED_FDS free, since a connection the process cannot serve only takes an fd from a plan.
 */
export const DEFAULT_MAX_CONNECTIONS = 8192;
/**
 * Open connections from one peer address [--max-connections-per-peer]. Half the total, so one host
 * cannot take every slot, yet 1,000 clients from one loopback address or one NAT gateway still fit.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_PEER = 4096;
/** File descriptors kept free for module files, worker threads and task processes (at most a quarter). */
export const RESERVED_FDS = 256;
/** Milliseconds a new connection has to finish TLS and send its first bytes [--handshake-timeout]. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Milliseconds an HTTP/1.1 request's headers have to arrive complete (slowloris) [--header-timeout]. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
/** Milliseconds an HTTP/1.1 keep-alive connection may wait for its next request. */
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 5_000;
/**
 * Milliseconds without traffic after which a connection that streams no job is closed: HTTP/1.1 sockets
 * mid-request, and HTTP/2 sessions with no open call (also one that never sends a request) [--idle-timeout].
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/** Milliseconds of silence before the gRPC side pings a client, and how long it waits for the answer. */
export const DEFAULT_GRPC_KEEPALIVE_TIME_MS = 120_000;
export const DEFAULT_GRPC_KEEPALIVE_TIMEOUT_MS = 20_000;
/** Milliseconds running jobs get to finish, streamed to their clients, after SIGTERM [--shutdown-grace]. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;
/** Bytes of events kept across finished runs, besides their count [--retain-runs-memory, in MiB]. */
export const DEFAULT_RETAIN_RUNS_BYTES = 256 * 1024 * 1024;
/** Finished runs kept for later reading. */
export const DEFAULT_RETAIN_RUNS = 100;
/** Events kept across finished runs. */
export const DEFAULT_RETAIN_EVENTS = 200_000;
/**
 * Bytes of an error message sent in a gRPC status (the grpc-message header); the rest is cut with a
 * marker and the full text goes to the server log. HTTP/2 clients refuse header lists past ~64 KiB.
 */
export const MAX_GRPC_ERROR_BYTES = 8 * 1024;

// --- engine: what one run may use (`converge server` flags in brackets; src/graph/limits.ts) ---

/** Template execution steps (actions, commands, range iterations) per render [--max-template-steps]. */
export const DEFAULT_MAX_TEMPLATE_STEPS = 10_000_000;
/** Bytes one render may produce, its output and the strings its functions build, in MiB [--max-template-output]. */
export const DEFAULT_MAX_TEMPLATE_OUTPUT_MB = 64;
/** Nesting of `{ }` and `[ ]` in HCL, and of control structures and parentheses in a template [--max-nesting]. */
export const DEFAULT_MAX_NESTING = 200;
/** Modules nested inside each other, counted from the top module [--max-module-depth]. */
export const DEFAULT_MAX_MODULE_DEPTH = 64;
/** MiB of one module file, local or fetched, before it is parsed [--max-module-size]. */
export const DEFAULT_MAX_MODULE_MB = 64;
/** Module files one run loads, the top module included [--max-modules]. */
export const DEFAULT_MAX_MODULES = 10_000;
/**
 * Bytes of module text one request may carry inline (`--upload`): the top module and the local modules
 * it includes, their paths counted, in UTF-8. Half of what a request may be (8 MiB), which leaves room
 * for params and for the escapes of a JSON body.
 */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;
/** Nodes in one run's graph, params, modules and switch branches included [--max-nodes]. */
export const DEFAULT_MAX_NODES = 250_000;
/**
 * KiB kept of each script's stdout and, separately, of its stderr: the first half and the last half,
 * with a marker saying how many bytes were cut between them [--max-task-output].
 */
export const DEFAULT_MAX_TASK_OUTPUT_KIB = 128;
/** Milliseconds one check or apply of one node may take [--node-timeout]. */
export const DEFAULT_NODE_TIMEOUT_MS = 60 * 60_000;
/** Milliseconds one run may take, load to last node [--run-timeout]. */
export const DEFAULT_RUN_TIMEOUT_MS = 4 * 60 * 60_000;
