/**
 * Staging, diff and plan of the SQLite store, on one connection that has the private `tmp` database
 * attached. It runs on the store's own connection or, for file databases, on a worker thread's
 * connection (sqlite-stage-worker.ts) so fingerprinting and SQLite work overlap with reading the source.
 *
 * Each staged member is fingerprinted and probed against the checkpoint's compact fingerprint index
 * at once; only new and changed members keep their full row. `mem.seen` (one 30-byte entry per
 * identity) then answers the diff, and the journal is written from it without touching unchanged rows.
 */
import type Database from 'better-sqlite3';
import { keyPrint, payloadPrint } from './fingerprint.js';
import type { DiffCounts, PlanMode, StagedMember } from './store.js';

/** What a staged identity means against the checkpoint (the numbers are stored in mem.seen). */
const State = {
  Unchanged: 0,
  New: 1,
  Changed: 2,
  /** Events mode: a REMOVE of a member the checkpoint holds. */
  RemoveHit: 3,
  /** Events mode: a REMOVE of a member the checkpoint does not hold (nothing to do). */
  RemoveMiss: 4,
} as const;
type State = (typeof State)[keyof typeof State];
/** States whose full row is kept: they become ADDs. */
const KEPT = `(${State.New}, ${State.Changed})`;
/** States whose checkpoint payload is removed. */
const OLD_PAYLOAD_GOES = `(${State.Changed}, ${State.RemoveHit})`;

export const STAGING_SCHEMA = `
  CREATE TABLE IF NOT EXISTS mem.seen (
    run INTEGER NOT NULL,
    segment TEXT NOT NULL,
    k1 INTEGER NOT NULL,
    k2 INTEGER NOT NULL,
    state INTEGER NOT NULL,
    srow INTEGER,
    PRIMARY KEY (run, segment, k1, k2)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS tmp.staging (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    payload TEXT NOT NULL
  );
`;

export class SqliteStaging {
  private readonly runs = new Map<string, number>();
  private runCount = 0;
  private nextRow = 1;
  private readonly seenFirst: Database.Statement;
  private readonly seenLast: Database.Statement;
  private readonly keep: Database.Statement;

  constructor(private readonly db: Database.Database) {
    db.exec(STAGING_SCHEMA);
    // One statement per member: probe the checkpoint's fingerprint index, classify, record the
    // identity, and say (RETURNING) whether it was recorded and what it is.
    const held = `(SELECT CASE WHEN @remove THEN ${State.RemoveHit} WHEN p = @p THEN ${State.Unchanged} ELSE ${State.Changed} END
       FROM main.checkpoint INDEXED BY checkpoint_fp WHERE segment = @seg AND k1 = @k1 AND k2 = @k2 LIMIT 1)`;
    const absent = `CASE WHEN @remove THEN ${State.RemoveMiss} ELSE ${State.New} END`;
    const insert = `INSERT INTO mem.seen (run, segment, k1, k2, state, srow)
       VALUES (@run, @seg, @k1, @k2, COALESCE(${held}, ${absent}), @srow)`;
    // Mirror: the first occurrence of an identity wins, later ones are duplicates (nothing returned).
    this.seenFirst = db.prepare(`${insert} ON CONFLICT DO NOTHING RETURNING state`).pluck();
    // Events: the last event of an identity wins.
    this.seenLast = db
      .prepare(
        `${insert} ON CONFLICT DO UPDATE SET state = excluded.state, srow = excluded.srow RETURNING state`,
      )
      .pluck();
    this.keep = db.prepare('INSERT INTO tmp.staging (id, key, payload) VALUES (?, ?, ?)');
  }

  private run(runId: string): number {
    let n = this.runs.get(runId);
    if (n === undefined) {
      n = ++this.runCount;
      this.runs.set(runId, n);
    }
    return n;
  }

  /**
   * True for each member that is new in its segment this run (mirror) or recorded (events).
   * `prints` (k1, k2, p per member, from `printMembers`) may come precomputed by the caller's thread.
   */
  stage(runId: string, members: StagedMember[], prints = printMembers(members)): boolean[] {
    const run = this.run(runId);
    const out = new Array<boolean>(members.length);
    const params = { run, seg: '', k1: 0, k2: 0, p: 0, remove: 0, srow: 0 };
    this.db.transaction(() => {
      for (let i = 0; i < members.length; i++) {
        const m = members[i]!;
        params.seg = m.segment;
        params.k1 = prints[3 * i]!;
        params.k2 = prints[3 * i + 1]!;
        params.p = prints[3 * i + 2]!;
        params.remove = m.action === 'REMOVE' ? 1 : 0;
        params.srow = this.nextRow;
        const state = (m.action ? this.seenLast : this.seenFirst).get(params) as State | undefined;
        out[i] = state !== undefined;
        // Only new and changed members keep their full row: it becomes an ADD.
        if (state === State.New || state === State.Changed) this.keep.run(this.nextRow++, m.key, m.payload);
      }
    })();
    return out;
  }

  clear(runId: string): void {
    const run = this.runs.get(runId);
    if (run === undefined) return;
    this.runs.delete(runId);
    if (this.runs.size === 0) {
      // Nothing else staged on this connection: empty wholesale (SQLite's truncate path).
      this.db.exec('DELETE FROM mem.seen; DELETE FROM tmp.staging;');
      return;
    }
    this.db
      .prepare(
        `DELETE FROM tmp.staging WHERE id IN (SELECT srow FROM mem.seen WHERE run = ? AND state IN ${KEPT})`,
      )
      .run(run);
    this.db.prepare('DELETE FROM mem.seen WHERE run = ?').run(run);
  }

  diff(runId: string, segment: string, mode: PlanMode): DiffCounts {
    const run = this.runs.get(runId) ?? -1;
    const rows = this.db
      .prepare('SELECT state, COUNT(*) AS n FROM mem.seen WHERE run = ? AND segment = ? GROUP BY state')
      .all(run, segment) as { state: State; n: number }[];
    const count = (state: State) => rows.find((x) => x.state === state)?.n ?? 0;
    const r = {
      staged: rows.reduce((a, x) => a + x.n, 0),
      unchanged: count(State.Unchanged),
      added: count(State.New),
      changed: count(State.Changed),
    };
    const checkpoint = (
      this.db.prepare('SELECT COUNT(*) AS n FROM main.checkpoint WHERE segment = ?').get(segment) as {
        n: number;
      }
    ).n;
    return {
      add: r.added,
      // Mirror: whatever the checkpoint holds and this run did not stage is gone.
      remove: mode === 'mirror' ? checkpoint - r.unchanged - r.changed : count(State.RemoveHit),
      change: r.changed,
      unchanged: r.unchanged + count(State.RemoveMiss),
      staged: r.staged,
      checkpoint,
    };
  }

  /** Writes the plan to the journal: REMOVEs (gone, old payloads) strictly before ADDs. */
  journalPlan(runId: string, segment: string, mode: PlanMode): { remove: number; add: number } {
    const run = this.runs.get(runId) ?? -1;
    const p = { runId, run, seg: segment };
    const planned = this.db.transaction(() => {
      let remove = 0;
      if (mode === 'mirror') {
        remove += this.db
          .prepare(
            `INSERT INTO main.journal (segment, run_id, action, key, payload)
             SELECT c.segment, @runId, 'REMOVE', c.key, c.payload FROM main.checkpoint c INDEXED BY checkpoint_fp
             WHERE c.segment = @seg AND NOT EXISTS (
               SELECT 1 FROM mem.seen s WHERE s.run = @run AND s.segment = c.segment AND s.k1 = c.k1 AND s.k2 = c.k2)`,
          )
          .run(p).changes;
      }
      remove += this.db
        .prepare(
          `INSERT INTO main.journal (segment, run_id, action, key, payload)
           SELECT c.segment, @runId, 'REMOVE', c.key, c.payload
           FROM mem.seen s JOIN main.checkpoint c INDEXED BY checkpoint_fp
             ON c.segment = s.segment AND c.k1 = s.k1 AND c.k2 = s.k2
           WHERE s.run = @run AND s.segment = @seg AND s.state IN ${OLD_PAYLOAD_GOES}`,
        )
        .run(p).changes;
      const add = this.db
        .prepare(
          `INSERT INTO main.journal (segment, run_id, action, key, payload)
           SELECT s.segment, @runId, 'ADD', st.key, st.payload
           FROM mem.seen s JOIN tmp.staging st ON st.id = s.srow
           WHERE s.run = @run AND s.segment = @seg AND s.state IN ${KEPT}`,
        )
        .run(p).changes;
      return { remove, add };
    })();
    // Writing a large plan fills this connection's page cache; the send phase does not need it.
    this.db.pragma('shrink_memory');
    return planned;
  }
}

/** The fingerprints `stage` needs, three numbers a member: key (k1, k2) and payload (0 for a REMOVE). */
export function printMembers(members: StagedMember[]): Float64Array {
  const out = new Float64Array(members.length * 3);
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const [k1, k2] = keyPrint(m.key);
    out[3 * i] = k1;
    out[3 * i + 1] = k2;
    out[3 * i + 2] = m.action === 'REMOVE' ? 0 : payloadPrint(m.payload);
  }
  return out;
}
