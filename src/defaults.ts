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
