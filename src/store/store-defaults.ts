/**
 * The run store's defaults, in a leaf module so the command table can show them without loading
 * SQLite (flags of `converge server` in brackets).
 */

/** Stored runs older than this are deleted, in milliseconds: 30 days [--runs-max-age]. */
export const DEFAULT_STORE_MAX_AGE_MS = 30 * 24 * 3_600_000;
/** Event text kept across stored runs, in bytes: 1 GiB [--runs-max-size, MiB]. */
export const DEFAULT_STORE_MAX_BYTES = 1024 * 1024 * 1024;
/** Longest a write waits before its batch is committed, in milliseconds. */
export const DEFAULT_STORE_FLUSH_INTERVAL_MS = 100;
/** Events waiting that make a batch commit at once. */
export const DEFAULT_STORE_FLUSH_EVENTS = 2000;
