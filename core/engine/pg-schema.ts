/**
 * PostgreSQL schema of the state store: the same tables and semantics as sqlite-schema.ts, inside one
 * schema (default `dmpsync`). Keys compare and sort bytewise (COLLATE "C"), like SQLite's BINARY, so
 * both stores journal in the same order. Versioned: each entry runs once, in order.
 */
export function pgMigrations(s: string): string[] {
  return [
    `
    CREATE TABLE IF NOT EXISTS ${s}.runs (
      run_id text PRIMARY KEY,
      mode text NOT NULL,
      started_at bigint NOT NULL,
      finished_at bigint,
      status text NOT NULL,
      report text
    );
    CREATE TABLE IF NOT EXISTS ${s}.segments (
      segment text COLLATE "C" PRIMARY KEY,
      remote_id text,
      last_run_id text,
      last_run_at bigint,
      last_run_status text
    );
    CREATE TABLE IF NOT EXISTS ${s}.checkpoint (
      segment text COLLATE "C" NOT NULL,
      key text COLLATE "C" NOT NULL,
      payload text NOT NULL,
      acked_at bigint NOT NULL,
      PRIMARY KEY (segment, key)
    );
    CREATE TABLE IF NOT EXISTS ${s}.journal (
      id bigserial PRIMARY KEY,
      segment text COLLATE "C" NOT NULL,
      run_id text NOT NULL,
      action text NOT NULL CHECK (action IN ('ADD', 'REMOVE')),
      key text COLLATE "C" NOT NULL,
      payload text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acked', 'rejected', 'dropped')),
      reason text,
      done_at bigint
    );
    CREATE INDEX IF NOT EXISTS journal_pending ON ${s}.journal (segment, id) WHERE status = 'pending';
    CREATE TABLE IF NOT EXISTS ${s}.rejects (
      run_id text NOT NULL,
      segment text NOT NULL,
      action text NOT NULL,
      key text NOT NULL,
      reason text NOT NULL,
      at bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS rejects_run ON ${s}.rejects (run_id, segment);
    CREATE TABLE IF NOT EXISTS ${s}.locks (
      segment text COLLATE "C" PRIMARY KEY,
      owner text NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      heartbeat_at bigint NOT NULL,
      expires_at bigint NOT NULL
    );
    -- Staging is per run and rebuilt on a re-run: never worth WAL.
    CREATE UNLOGGED TABLE IF NOT EXISTS ${s}.staging (
      run_id text NOT NULL,
      segment text COLLATE "C" NOT NULL,
      key text COLLATE "C" NOT NULL,
      payload text NOT NULL,
      PRIMARY KEY (run_id, segment, key)
    );
    `,
    // v2: events mode stages each identity's last action (NULL in mirror mode).
    `ALTER TABLE ${s}.staging ADD COLUMN IF NOT EXISTS action text`,
    // v3: the source state an events-mode pipeline resumes from.
    `CREATE TABLE IF NOT EXISTS ${s}.source_state (name text PRIMARY KEY, state text NOT NULL, saved_at bigint NOT NULL)`,
    // v4: journal pruning (after every run) finds finished entries by index, not by a scan of all.
    `CREATE INDEX IF NOT EXISTS journal_done ON ${s}.journal (done_at) WHERE status <> 'pending'`,
  ];
}
