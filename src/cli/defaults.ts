/** Defaults and exit statuses shared by the commands (a leaf module, so commands never import the table). */

/** Default client address; the server itself listens on all interfaces by default. */
export const DEFAULT_RPC_ADDR = '127.0.0.1:4774';
export const DEFAULT_SERVER_ADDR = '0.0.0.0:4774';
export const DEFAULT_LOCAL_ADDR = '127.0.0.1:47740';
/** Nodes checked or applied at once when --parallelism is not given. */
export const DEFAULT_PARALLELISM = 16;

/** Exit statuses. Usage errors exit 255, as the original's `os.Exit(-1)` did. */
export const EXIT = {
  ok: 0,
  failed: 1,
  interrupted: 2,
  unhealthy: 3,
  usage: 255,
} as const;
