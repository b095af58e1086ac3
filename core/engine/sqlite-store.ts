/**
 * The embedded state store (better-sqlite3). Synchronous underneath, async at the contract so the
 * engine treats SQLite and PostgreSQL alike. WAL mode: a crash never loses an acknowledged commit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import type { Action } from '../plugin.js';
import { SQLITE_MIGRATIONS, SQLITE_STAGING } from './sqlite-schema.js';
import type {
  DiffCounts,
  EntryOutcome,
  JournalEntry,
  LockInfo,
  SegmentRecord,
  StagedMember,
  StateStore,
} from './store.js';
import { blockingHolder, type LockRow, type SegmentRow, toSegmentRecord } from './store-rows.js';

export class SqliteStore implements StateStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly insertStaging: Database.Statement;

  constructor(readonly path: string) {
    if (path !== ':memory:') {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (cause) {
        throw new ConfigError(`cannot create the state directory for ${path}`, {
          keyPath: 'state.path',
          cause,
        });
      }
    }
    try {
      this.db = new Database(path);
    } catch (cause) {
      throw new ConfigError(`cannot open the SQLite state store ${path}: ${(cause as Error).message}`, {
        keyPath: 'state.path',
        fix: 'point state.path at a writable file',
      });
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(`ATTACH DATABASE '' AS tmp`);
    this.db.exec('PRAGMA tmp.journal_mode = OFF; PRAGMA tmp.synchronous = OFF;');
    // Staging and the checkpoint are random-key B-trees: a larger page cache saves re-reading pages.
    this.db.pragma('cache_size = -16384');
    this.db.pragma('tmp.cache_size = -32768');
    this.migrateSync();
    this.insertStaging = this.db.prepare(
      'INSERT OR IGNORE INTO tmp.staging (run_id, segment, key, payload) VALUES (?, ?, ?, ?)',
    );
  }

  private migrateSync(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    for (let v = current; v < SQLITE_MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[v]!);
        this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
      })();
    }
    this.db.exec(SQLITE_STAGING);
  }

  async migrate(): Promise<void> {
    this.migrateSync();
  }

  async startRun(runId: string, info: { mode: string; startedAt: number }): Promise<void> {
    this.db
      .prepare(`INSERT INTO runs (run_id, mode, started_at, status) VALUES (?, ?, ?, 'running')`)
      .run(runId, info.mode, info.startedAt);
  }

  async finishRun(runId: string, status: string, report: unknown): Promise<void> {
    this.db
      .prepare('UPDATE runs SET finished_at = ?, status = ?, report = ? WHERE run_id = ?')
      .run(Date.now(), status, JSON.stringify(report), runId);
  }

  async acquireLock(
    segment: string,
    owner: { id: string; host: string; pid: number },
    ttlMs: number,
    now: number,
  ): Promise<LockInfo | null> {
    return this.db
      .transaction((): LockInfo | null => {
        const held = this.db.prepare('SELECT * FROM locks WHERE segment = ?').get(segment) as
          | LockRow
          | undefined;
        const blocking = blockingHolder(held, owner, now);
        if (blocking) return blocking;
        this.db
          .prepare(
            `INSERT INTO locks (segment, owner, host, pid, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (segment) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid,
             heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
          )
          .run(segment, owner.id, owner.host, owner.pid, now, now + ttlMs);
        return null;
      })
      .immediate();
  }

  async renewLocks(segments: string[], ownerId: string, ttlMs: number, now: number): Promise<void> {
    const stmt = this.db.prepare(
      'UPDATE locks SET heartbeat_at = ?, expires_at = ? WHERE segment = ? AND owner = ?',
    );
    this.db.transaction(() => {
      for (const s of segments) stmt.run(now, now + ttlMs, s, ownerId);
    })();
  }

  async releaseLocks(segments: string[], ownerId: string): Promise<void> {
    const stmt = this.db.prepare('DELETE FROM locks WHERE segment = ? AND owner = ?');
    this.db.transaction(() => {
      for (const s of segments) stmt.run(s, ownerId);
    })();
  }

  async getSegment(segment: string): Promise<SegmentRecord | null> {
    const row = this.db.prepare('SELECT * FROM segments WHERE segment = ?').get(segment) as
      | SegmentRow
      | undefined;
    return row ? toSegmentRecord(row) : null;
  }

  async saveSegment(
    segment: string,
    f: { remoteId?: string; lastRunId?: string; lastRunAt?: number; lastRunStatus?: string },
  ): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO segments (segment, remote_id, last_run_id, last_run_at, last_run_status) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (segment) DO UPDATE SET
           remote_id = COALESCE(excluded.remote_id, remote_id),
           last_run_id = COALESCE(excluded.last_run_id, last_run_id),
           last_run_at = COALESCE(excluded.last_run_at, last_run_at),
           last_run_status = COALESCE(excluded.last_run_status, last_run_status)`,
      )
      .run(segment, f.remoteId ?? null, f.lastRunId ?? null, f.lastRunAt ?? null, f.lastRunStatus ?? null);
  }

  async resetSegment(segment: string): Promise<{ checkpointCleared: number; journalDropped: number }> {
    return this.db.transaction(() => {
      const c = this.db.prepare('DELETE FROM checkpoint WHERE segment = ?').run(segment).changes;
      const j = this.db
        .prepare(
          `UPDATE journal SET status = 'dropped', done_at = ? WHERE segment = ? AND status = 'pending'`,
        )
        .run(Date.now(), segment).changes;
      return { checkpointCleared: c, journalDropped: j };
    })();
  }

  async stage(runId: string, members: StagedMember[]): Promise<boolean[]> {
    const out = new Array<boolean>(members.length);
    this.db.transaction(() => {
      for (let i = 0; i < members.length; i++) {
        const m = members[i]!;
        out[i] = this.insertStaging.run(runId, m.segment, m.key, m.payload).changes === 1;
      }
    })();
    return out;
  }

  async clearStaging(runId: string): Promise<void> {
    // Staging is private to this connection; when it holds only this run, empty it wholesale
    // (SQLite's truncate path) instead of deleting row by row.
    const other = this.db.prepare('SELECT 1 FROM tmp.staging WHERE run_id <> ? LIMIT 1').get(runId);
    if (other) this.db.prepare('DELETE FROM tmp.staging WHERE run_id = ?').run(runId);
    else this.db.exec('DELETE FROM tmp.staging');
  }

  async diff(runId: string, segment: string): Promise<DiffCounts> {
    return this.diffDirect(runId, segment);
  }

  async journalPlan(runId: string, segment: string): Promise<{ remove: number; add: number }> {
    return this.db.transaction(() => {
      // REMOVEs (gone, or old payload of a changed member) strictly before ADDs: the executor
      // sends one action per batch, in journal order, with a barrier between actions.
      const remove = this.db
        .prepare(
          `INSERT INTO journal (segment, run_id, action, key, payload)
           SELECT c.segment, @run, 'REMOVE', c.key, c.payload FROM checkpoint c
           LEFT JOIN tmp.staging s ON s.run_id = @run AND s.segment = c.segment AND s.key = c.key
           WHERE c.segment = @seg AND (s.key IS NULL OR s.payload <> c.payload)
           ORDER BY c.key`,
        )
        .run({ run: runId, seg: segment }).changes;
      const add = this.db
        .prepare(
          `INSERT INTO journal (segment, run_id, action, key, payload)
           SELECT s.segment, @run, 'ADD', s.key, s.payload FROM tmp.staging s
           LEFT JOIN checkpoint c ON c.segment = s.segment AND c.key = s.key
           WHERE s.run_id = @run AND s.segment = @seg AND (c.key IS NULL OR c.payload <> s.payload)
           ORDER BY s.key`,
        )
        .run({ run: runId, seg: segment }).changes;
      return { remove, add };
    })();
  }

  private diffDirect(runId: string, segment: string): DiffCounts {
    // One pass over the staged members, probing the checkpoint by primary key.
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS staged, COUNT(c.key) AS matched,
                COALESCE(SUM(CASE WHEN c.payload = s.payload THEN 1 ELSE 0 END), 0) AS unchanged
         FROM tmp.staging s LEFT JOIN checkpoint c ON c.segment = s.segment AND c.key = s.key
         WHERE s.run_id = @run AND s.segment = @seg`,
      )
      .get({ run: runId, seg: segment }) as { staged: number; matched: number; unchanged: number };
    const checkpoint = (
      this.db.prepare('SELECT COUNT(*) AS n FROM checkpoint WHERE segment = ?').get(segment) as { n: number }
    ).n;
    return {
      add: r.staged - r.matched,
      remove: checkpoint - r.matched,
      change: r.matched - r.unchanged,
      unchanged: r.unchanged,
      staged: r.staged,
      checkpoint,
    };
  }

  async journalEvents(
    runId: string,
    entries: { segment: string; action: Action; key: string; payload: string }[],
  ): Promise<void> {
    const stmt = this.db.prepare(
      'INSERT INTO journal (segment, run_id, action, key, payload) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const e of entries) stmt.run(e.segment, runId, e.action, e.key, e.payload);
    })();
  }

  async pendingCounts(segment: string): Promise<{ add: number; remove: number }> {
    const rows = this.db
      .prepare(
        `SELECT action, COUNT(*) AS n FROM journal WHERE segment = ? AND status = 'pending' GROUP BY action`,
      )
      .all(segment) as { action: Action; n: number }[];
    return {
      add: rows.find((r) => r.action === 'ADD')?.n ?? 0,
      remove: rows.find((r) => r.action === 'REMOVE')?.n ?? 0,
    };
  }

  async nextBatch(segment: string, afterId: number, limit: number): Promise<JournalEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT id, segment, action, key, payload FROM journal
         WHERE segment = ? AND status = 'pending' AND id > ? ORDER BY id LIMIT ?`,
      )
      .all(segment, afterId, limit) as JournalEntry[];
    const first = rows[0];
    if (!first) return [];
    const end = rows.findIndex((r) => r.action !== first.action);
    return end === -1 ? rows : rows.slice(0, end);
  }

  async complete(runId: string, outcomes: EntryOutcome[], now: number): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT INTO checkpoint (segment, key, payload, acked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (segment, key) DO UPDATE SET payload = excluded.payload, acked_at = excluded.acked_at`,
    );
    // A REMOVE takes out only the payload it carried: if a newer ADD already replaced it, that stays.
    const remove = this.db.prepare('DELETE FROM checkpoint WHERE segment = ? AND key = ? AND payload = ?');
    const done = this.db.prepare(`UPDATE journal SET status = ?, reason = ?, done_at = ? WHERE id = ?`);
    const rej = this.db.prepare(
      'INSERT INTO rejects (run_id, segment, action, key, reason, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const o of outcomes) {
        const e = o.entry;
        if (o.ok) {
          if (e.action === 'ADD') upsert.run(e.segment, e.key, e.payload, now);
          else remove.run(e.segment, e.key, e.payload);
          done.run('acked', null, now, e.id);
        } else {
          done.run('rejected', o.reason ?? 'rejected', now, e.id);
          rej.run(runId, e.segment, e.action, e.key, o.reason ?? 'rejected', now);
        }
      }
    })();
  }

  async checkpointCount(segment: string): Promise<number> {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM checkpoint WHERE segment = ?').get(segment) as { n: number }
    ).n;
  }

  async *checkpointMembers(segment: string): AsyncIterable<{ key: string; payload: string }> {
    const it = this.db
      .prepare('SELECT key, payload FROM checkpoint WHERE segment = ? ORDER BY key')
      .iterate(segment) as IterableIterator<{ key: string; payload: string }>;
    for (const row of it) yield row;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
