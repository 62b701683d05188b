/**
 * The run store's tables. One row per run (who, what, when, outcome and counts), one per node result of
 * the run's last pass, and one per event, keyed by (run, seq) so a reader resumes at any seq with an
 * index seek. Events keep the NodeEvent JSON as the worker produced it, so a stored run replays through
 * the same printer as a live one.
 */

/** Bumped when a table changes shape; an older file is migrated or refused by open(). */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS runs (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  module_sha256 TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  who TEXT NOT NULL DEFAULT '',
  peer TEXT NOT NULL DEFAULT '',
  instance TEXT NOT NULL DEFAULT '',
  queued_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  outcome TEXT NOT NULL DEFAULT 'queued',
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  nodes INTEGER NOT NULL DEFAULT 0,
  changed INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  events INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  edges TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS runs_queued_at ON runs (queued_at);
CREATE INDEX IF NOT EXISTS runs_open ON runs (outcome) WHERE finished_at IS NULL;
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  status TEXT NOT NULL,
  has_changes INTEGER NOT NULL,
  changes TEXT NOT NULL,
  messages TEXT NOT NULL,
  error TEXT NOT NULL,
  warning TEXT NOT NULL,
  PRIMARY KEY (run_id, node_id)
) WITHOUT ROWID;
`;
