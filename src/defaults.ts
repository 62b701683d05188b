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
