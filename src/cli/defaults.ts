/** Defaults and exit statuses shared by the commands (a leaf module, so commands never import the table). */

export { DEFAULT_LOCAL_ADDR, DEFAULT_PARALLELISM, DEFAULT_RPC_ADDR, DEFAULT_SERVER_ADDR } from '../defaults.js';

/**
 * Exit statuses. Usage errors exit 255, as the original's `os.Exit(-1)` did. `changesPending` is only
 * used with `plan --detailed-exitcode` (Terraform's 2), where a hard stop still exits 2 as well.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  interrupted: 2,
  changesPending: 2,
  unhealthy: 3,
  usage: 255,
} as const;
