/** SQLite schema of the state store. Versioned: each entry runs once, in order. */
export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    status TEXT NOT NULL,
    report TEXT
  );
  CREATE TABLE IF NOT EXISTS segments (
    segment TEXT PRIMARY KEY,
    remote_id TEXT,
    last_run_id TEXT,
    last_run_at INTEGER,
    last_run_status TEXT
  );
  CREATE TABLE IF NOT EXISTS checkpoint (
    segment TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    acked_at INTEGER NOT NULL,
    PRIMARY KEY (segment, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    segment TEXT NOT NULL,
    run_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('ADD', 'REMOVE')),
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acked', 'rejected', 'dropped')),
    reason TEXT,
    done_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS journal_pending ON journal (segment, id) WHERE status = 'pending';
  CREATE TABLE IF NOT EXISTS rejects (
    run_id TEXT NOT NULL,
    segment TEXT NOT NULL,
    action TEXT NOT NULL,
    key TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS rejects_run ON rejects (run_id, segment);
  CREATE TABLE IF NOT EXISTS locks (
    segment TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  // v2: the checkpoint carries compact fingerprints (core/engine/fingerprint.ts) and a covering index
  // on them, so a diff compares 20-byte entries instead of whole rows. Rows keep their exact key and
  // payload: the unique (segment, key) index is what an acknowledgement updates.
  `
  CREATE TABLE checkpoint_v2 (
    id INTEGER PRIMARY KEY,
    segment TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    acked_at INTEGER NOT NULL,
    k1 INTEGER NOT NULL,
    k2 INTEGER NOT NULL,
    p INTEGER NOT NULL
  );
  INSERT INTO checkpoint_v2 (segment, key, payload, acked_at, k1, k2, p)
    SELECT segment, key, payload, acked_at, dmp_k1(key), dmp_k2(key), dmp_p(payload) FROM checkpoint;
  DROP TABLE checkpoint;
  ALTER TABLE checkpoint_v2 RENAME TO checkpoint;
  CREATE UNIQUE INDEX checkpoint_key ON checkpoint (segment, key);
  CREATE INDEX checkpoint_fp ON checkpoint (segment, k1, k2, p);
  `,
  // v3: the source state an events-mode pipeline resumes from.
  `
  CREATE TABLE source_state (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    saved_at INTEGER NOT NULL
  );
  `,
  // v4: payload fingerprints are computed in JS without hashing a byte copy of the payload (about
  // 3x cheaper: fingerprint.ts); rows fingerprinted the former way are re-fingerprinted. Journal
  // pruning finds finished entries by index instead of scanning every entry ever written.
  `
  DROP INDEX checkpoint_fp;
  UPDATE checkpoint SET p = dmp_p(payload);
  CREATE INDEX checkpoint_fp ON checkpoint (segment, k1, k2, p);
  CREATE INDEX journal_done ON journal (done_at) WHERE status <> 'pending';
  `,
  // v5: acknowledgements find checkpoint rows through the fingerprint index (and check the exact
  // key); the (segment, key) index only doubled the random page writes of every acknowledgement
  // (measured: 111 -> 58 us an acknowledged element on a 1M-member checkpoint).
  `
  DROP INDEX checkpoint_key;
  `,
  // v6: members per segment, kept by the transactions that change the checkpoint, so a count is
  // one row instead of a scan of the segment's index (4 counts a run; 0.1-0.5 s at 1M members).
  `
  CREATE TABLE checkpoint_counts (segment TEXT PRIMARY KEY, members INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO checkpoint_counts (segment, members) SELECT segment, COUNT(*) FROM checkpoint GROUP BY segment;
  `,
  // v7: a generation per segment, bumped by every write to its checkpoint rows (whoever writes), so
  // a row cache knows whether the rowids it recorded still hold what they held (about 0.9 us a
  // written row).
  `
  CREATE TABLE checkpoint_gen (segment TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TRIGGER checkpoint_gen_insert AFTER INSERT ON checkpoint BEGIN
    INSERT INTO checkpoint_gen (segment, n) VALUES (NEW.segment, 1) ON CONFLICT (segment) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER checkpoint_gen_update AFTER UPDATE ON checkpoint BEGIN
    INSERT INTO checkpoint_gen (segment, n) VALUES (NEW.segment, 1) ON CONFLICT (segment) DO UPDATE SET n = n + 1;
    INSERT INTO checkpoint_gen (segment, n) VALUES (OLD.segment, 1) ON CONFLICT (segment) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER checkpoint_gen_delete AFTER DELETE ON checkpoint BEGIN
    INSERT INTO checkpoint_gen (segment, n) VALUES (OLD.segment, 1) ON CONFLICT (segment) DO UPDATE SET n = n + 1;
  END;
  `,
];
