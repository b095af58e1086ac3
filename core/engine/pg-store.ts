/**
 * The shared state store on PostgreSQL: the same contract and SQL as SqliteStore, for many workers
 * at once. Staging is an UNLOGGED table keyed by run_id, filled with multi-row INSERT ... unnest;
 * locks are rows taken under a per-segment advisory lock; `complete` is one transaction.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { ConfigError, TransientError } from '../errors.js';
import type { Action } from '../plugin.js';
import { pgMigrations } from './pg-schema.js';
import type {
  DiffCounts,
  EntryOutcome,
  JournalEntry,
  LockInfo,
  PlanMode,
  SegmentRecord,
  SourceStates,
  StagedMember,
  StateStore,
} from './store.js';
import { blockingHolder, type LockRow, type SegmentRow, toSegmentRecord } from './store-rows.js';

/** Rows per INSERT: keeps parameter arrays a few MB at most. */
const STAGE_CHUNK = 10_000;

export interface PgStoreOptions {
  /** Connection URL; default: DATABASE_URL, else the PG* environment variables. */
  url?: string;
  /** Schema holding the tables (created if missing). */
  schema?: string;
  /** Pool size per process. */
  maxConnections?: number;
}

export class PgStore implements StateStore {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly s: string;

  constructor(options: PgStoreOptions = {}) {
    this.schema = options.schema ?? 'dmpsync';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) {
      throw new ConfigError(`state.schema "${this.schema}" must be a lower-case SQL identifier`, {
        keyPath: 'state.schema',
      });
    }
    this.s = `"${this.schema}"`;
    const url = options.url ?? process.env.DATABASE_URL;
    this.pool = new pg.Pool({
      ...(url ? { connectionString: url } : {}),
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: 15_000,
      keepAlive: true,
      application_name: 'dmpsync-state',
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
  }

  private async q<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
    client: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await client.query<R>(text, values);
    } catch (err) {
      throw storeError(err);
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storeError(err);
    }
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw storeError(err);
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    const s = this.s;
    await this.tx(async (c) => {
      // Many workers start at once: one migrates, the others wait and find it done.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`dmpsync.migrate:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
      const r = await c.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${s}.schema_version`);
      const migrations = pgMigrations(s);
      for (let v = r.rows[0]?.v ?? 0; v < migrations.length; v++) {
        await c.query(migrations[v] as string);
        await c.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [v + 1]);
      }
    });
  }

  async startRun(runId: string, info: { mode: string; startedAt: number }): Promise<void> {
    await this.q(
      `INSERT INTO ${this.s}.runs (run_id, mode, started_at, status) VALUES ($1, $2, $3, 'running')`,
      [runId, info.mode, info.startedAt],
    );
  }

  async finishRun(runId: string, status: string, report: unknown): Promise<void> {
    await this.q(`UPDATE ${this.s}.runs SET finished_at = $1, status = $2, report = $3 WHERE run_id = $4`, [
      Date.now(),
      status,
      JSON.stringify(report),
      runId,
    ]);
  }

  async acquireLock(
    segment: string,
    owner: { id: string; host: string; pid: number },
    ttlMs: number,
    now: number,
  ): Promise<LockInfo | null> {
    const s = this.s;
    return this.tx(async (c) => {
      // Serialises contenders for this segment (the row may not exist yet, so FOR UPDATE is not enough).
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dmpsync.lock:${this.schema}:${segment}`]);
      const held = (await c.query<LockRow>(`SELECT * FROM ${s}.locks WHERE segment = $1`, [segment])).rows[0];
      const blocking = blockingHolder(held, owner, now);
      if (blocking) return blocking;
      await c.query(
        `INSERT INTO ${s}.locks (segment, owner, host, pid, heartbeat_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (segment) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid,
           heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
        [segment, owner.id, owner.host, owner.pid, now, now + ttlMs],
      );
      return null;
    });
  }

  async renewLocks(segments: string[], ownerId: string, ttlMs: number, now: number): Promise<void> {
    await this.q(
      `UPDATE ${this.s}.locks SET heartbeat_at = $1, expires_at = $2 WHERE segment = ANY($3::text[]) AND owner = $4`,
      [now, now + ttlMs, segments, ownerId],
    );
  }

  async releaseLocks(segments: string[], ownerId: string): Promise<void> {
    await this.q(`DELETE FROM ${this.s}.locks WHERE segment = ANY($1::text[]) AND owner = $2`, [
      segments,
      ownerId,
    ]);
  }

  async getSegment(segment: string): Promise<SegmentRecord | null> {
    const row = (await this.q<SegmentRow>(`SELECT * FROM ${this.s}.segments WHERE segment = $1`, [segment]))
      .rows[0];
    return row ? toSegmentRecord(row) : null;
  }

  async saveSegment(
    segment: string,
    f: { remoteId?: string; lastRunId?: string; lastRunAt?: number; lastRunStatus?: string },
  ): Promise<void> {
    const s = this.s;
    await this.q(
      `INSERT INTO ${s}.segments AS t (segment, remote_id, last_run_id, last_run_at, last_run_status)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (segment) DO UPDATE SET
         remote_id = COALESCE(excluded.remote_id, t.remote_id),
         last_run_id = COALESCE(excluded.last_run_id, t.last_run_id),
         last_run_at = COALESCE(excluded.last_run_at, t.last_run_at),
         last_run_status = COALESCE(excluded.last_run_status, t.last_run_status)`,
      [segment, f.remoteId ?? null, f.lastRunId ?? null, f.lastRunAt ?? null, f.lastRunStatus ?? null],
    );
  }

  async resetSegment(segment: string): Promise<{ checkpointCleared: number; journalDropped: number }> {
    return this.tx(async (c) => {
      const cl = await c.query(`DELETE FROM ${this.s}.checkpoint WHERE segment = $1`, [segment]);
      const j = await c.query(
        `UPDATE ${this.s}.journal SET status = 'dropped', done_at = $1 WHERE segment = $2 AND status = 'pending'`,
        [Date.now(), segment],
      );
      return { checkpointCleared: cl.rowCount ?? 0, journalDropped: j.rowCount ?? 0 };
    });
  }

  async stage(runId: string, members: StagedMember[]): Promise<boolean[]> {
    const out = new Array<boolean>(members.length).fill(false);
    for (let from = 0; from < members.length; from += STAGE_CHUNK) {
      const chunk = members.slice(from, from + STAGE_CHUNK);
      if (chunk.some((m) => m.action)) {
        await this.stageEvents(runId, chunk);
        out.fill(true, from, from + chunk.length);
        continue;
      }
      // Rows go in input order, so of two equal identities the first is inserted and the second skipped.
      const r = await this.q<{ segment: string; key: string }>(
        `INSERT INTO ${this.s}.staging (run_id, segment, key, payload)
         SELECT $1, u.segment, u.key, u.payload
         FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(segment, key, payload, n)
         ORDER BY u.n
         ON CONFLICT DO NOTHING RETURNING segment, key`,
        [runId, chunk.map((m) => m.segment), chunk.map((m) => m.key), chunk.map((m) => m.payload)],
      );
      const inserted = new Set(r.rows.map((row) => `${row.segment}\u0000${row.key}`));
      chunk.forEach((m, i) => {
        const id = `${m.segment}\u0000${m.key}`;
        if (inserted.delete(id)) out[from + i] = true;
      });
    }
    return out;
  }

  /** Events: the last event of an identity wins, within the chunk and over earlier chunks. */
  private async stageEvents(runId: string, chunk: StagedMember[]): Promise<void> {
    await this.q(
      `INSERT INTO ${this.s}.staging (run_id, segment, key, payload, action)
       SELECT DISTINCT ON (u.segment, u.key) $1, u.segment, u.key, u.payload, u.action
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(segment, key, payload, action, n)
       ORDER BY u.segment, u.key, u.n DESC
       ON CONFLICT (run_id, segment, key) DO UPDATE SET payload = excluded.payload, action = excluded.action`,
      [
        runId,
        chunk.map((m) => m.segment),
        chunk.map((m) => m.key),
        chunk.map((m) => m.payload),
        chunk.map((m) => m.action ?? 'ADD'),
      ],
    );
  }

  async clearStaging(runId: string): Promise<void> {
    await this.q(`DELETE FROM ${this.s}.staging WHERE run_id = $1`, [runId]);
  }

  async diff(runId: string, segment: string, mode: PlanMode = 'mirror'): Promise<DiffCounts> {
    const s = this.s;
    const r = (
      await this.q<Record<'staged' | 'checkpoint' | 'matched' | 'unchanged' | 'removes' | 'hits', string>>(
        `SELECT
           (SELECT COUNT(*) FROM ${s}.staging WHERE run_id = $1 AND segment = $2) AS staged,
           (SELECT COUNT(*) FROM ${s}.checkpoint WHERE segment = $2) AS checkpoint,
           (SELECT COUNT(*) FROM ${s}.staging WHERE run_id = $1 AND segment = $2 AND action = 'REMOVE') AS removes,
           COUNT(*) FILTER (WHERE st.action IS DISTINCT FROM 'REMOVE') AS matched,
           COUNT(*) FILTER (WHERE st.action IS DISTINCT FROM 'REMOVE' AND c.payload = st.payload) AS unchanged,
           COUNT(*) FILTER (WHERE st.action = 'REMOVE') AS hits
         FROM ${s}.staging st JOIN ${s}.checkpoint c ON c.segment = st.segment AND c.key = st.key
         WHERE st.run_id = $1 AND st.segment = $2`,
        [runId, segment],
      )
    ).rows[0]!;
    const [staged, checkpoint, removes, matched, unchanged, hits] = [
      r.staged,
      r.checkpoint,
      r.removes,
      r.matched,
      r.unchanged,
      r.hits,
    ].map(Number) as [number, number, number, number, number, number];
    const adds = staged - removes;
    return {
      add: adds - matched,
      // Mirror: whatever the checkpoint holds and this run did not stage is gone.
      remove: mode === 'mirror' ? checkpoint - matched : hits,
      change: matched - unchanged,
      unchanged: unchanged + (removes - hits),
      staged,
      checkpoint,
    };
  }

  async journalPlan(
    runId: string,
    segment: string,
    mode: PlanMode = 'mirror',
  ): Promise<{ remove: number; add: number }> {
    const s = this.s;
    // Mirror removes what was not staged; events only what a REMOVE or a changed ADD names.
    const gone = mode === 'mirror' ? 'st.key IS NULL OR ' : '';
    return this.tx(async (c) => {
      // REMOVEs strictly before ADDs, each in key order: ids follow the SELECT's order.
      const remove = await c.query(
        `INSERT INTO ${s}.journal (segment, run_id, action, key, payload)
         SELECT c.segment, $1, 'REMOVE', c.key, c.payload FROM ${s}.checkpoint c
         LEFT JOIN ${s}.staging st ON st.run_id = $1 AND st.segment = c.segment AND st.key = c.key
         WHERE c.segment = $2 AND (${gone}st.action = 'REMOVE' OR st.payload <> c.payload)
         ORDER BY c.key`,
        [runId, segment],
      );
      const add = await c.query(
        `INSERT INTO ${s}.journal (segment, run_id, action, key, payload)
         SELECT st.segment, $1, 'ADD', st.key, st.payload FROM ${s}.staging st
         LEFT JOIN ${s}.checkpoint c ON c.segment = st.segment AND c.key = st.key
         WHERE st.run_id = $1 AND st.segment = $2 AND st.action IS DISTINCT FROM 'REMOVE'
           AND (c.key IS NULL OR c.payload <> st.payload)
         ORDER BY st.key`,
        [runId, segment],
      );
      return { remove: remove.rowCount ?? 0, add: add.rowCount ?? 0 };
    });
  }

  async pendingCounts(segment: string): Promise<{ add: number; remove: number }> {
    const rows = (
      await this.q<{ action: Action; n: string }>(
        `SELECT action, COUNT(*) AS n FROM ${this.s}.journal WHERE segment = $1 AND status = 'pending' GROUP BY action`,
        [segment],
      )
    ).rows;
    return {
      add: Number(rows.find((r) => r.action === 'ADD')?.n ?? 0),
      remove: Number(rows.find((r) => r.action === 'REMOVE')?.n ?? 0),
    };
  }

  async nextBatch(segment: string, afterId: number, limit: number): Promise<JournalEntry[]> {
    const rows = (
      await this.q<{ id: string; segment: string; action: Action; key: string; payload: string }>(
        `SELECT id, segment, action, key, payload FROM ${this.s}.journal
         WHERE segment = $1 AND status = 'pending' AND id > $2 ORDER BY id LIMIT $3`,
        [segment, afterId, limit],
      )
    ).rows.map((r) => ({ ...r, id: Number(r.id) }));
    const first = rows[0];
    if (!first) return [];
    const end = rows.findIndex((r) => r.action !== first.action);
    return end === -1 ? rows : rows.slice(0, end);
  }

  async complete(runId: string, outcomes: EntryOutcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    const s = this.s;
    await this.tx(async (c) => {
      // Runs of one action applied in order; set-based within a run (an entry's key repeats at most
      // once per run in practice; the last ADD of a key wins, as it would one by one).
      for (const run of actionRuns(outcomes.filter((o) => o.ok))) {
        const entries = run.map((o) => o.entry);
        if (entries[0]?.action === 'ADD') {
          const last = new Map(entries.map((e) => [`${e.segment}\u0000${e.key}`, e]));
          const rows = [...last.values()];
          await c.query(
            `INSERT INTO ${s}.checkpoint (segment, key, payload, acked_at)
             SELECT u.segment, u.key, u.payload, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(segment, key, payload)
             ON CONFLICT (segment, key) DO UPDATE SET payload = excluded.payload, acked_at = excluded.acked_at`,
            [rows.map((e) => e.segment), rows.map((e) => e.key), rows.map((e) => e.payload), now],
          );
        } else {
          // A REMOVE takes out only the payload it carried: if a newer ADD already replaced it, that stays.
          await c.query(
            `DELETE FROM ${s}.checkpoint c USING unnest($1::text[], $2::text[], $3::text[]) AS u(segment, key, payload)
             WHERE c.segment = u.segment AND c.key = u.key AND c.payload = u.payload`,
            [entries.map((e) => e.segment), entries.map((e) => e.key), entries.map((e) => e.payload)],
          );
        }
      }
      await c.query(
        `UPDATE ${s}.journal j SET status = u.status, reason = u.reason, done_at = $4
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, status, reason) WHERE j.id = u.id`,
        [
          outcomes.map((o) => o.entry.id),
          outcomes.map((o) => (o.ok ? 'acked' : 'rejected')),
          outcomes.map((o) => (o.ok ? null : (o.reason ?? 'rejected'))),
          now,
        ],
      );
      const rejected = outcomes.filter((o) => !o.ok);
      if (rejected.length) {
        await c.query(
          `INSERT INTO ${s}.rejects (run_id, segment, action, key, reason, at)
           SELECT $1, u.segment, u.action, u.key, u.reason, $6
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(segment, action, key, reason)`,
          [
            runId,
            rejected.map((o) => o.entry.segment),
            rejected.map((o) => o.entry.action),
            rejected.map((o) => o.entry.key),
            rejected.map((o) => o.reason ?? 'rejected'),
            now,
          ],
        );
      }
    });
  }

  async getSourceState(name: string): Promise<SourceStates | null> {
    const r = await this.q<{ state: string }>(`SELECT state FROM ${this.s}.source_state WHERE name = $1`, [
      name,
    ]);
    const row = r.rows[0];
    return row ? (JSON.parse(row.state) as SourceStates) : null;
  }

  async saveSourceState(name: string, state: SourceStates, now: number): Promise<void> {
    await this.q(
      `INSERT INTO ${this.s}.source_state (name, state, saved_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at`,
      [name, JSON.stringify(state), now],
    );
  }

  async pruneJournal(before: number): Promise<number> {
    const r = await this.q(`DELETE FROM ${this.s}.journal WHERE status <> 'pending' AND done_at < $1`, [
      before,
    ]);
    return r.rowCount ?? 0;
  }

  async checkpointCount(segment: string): Promise<number> {
    const r = await this.q<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${this.s}.checkpoint WHERE segment = $1`,
      [segment],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  async *checkpointMembers(segment: string): AsyncIterable<{ key: string; payload: string }> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw storeError(err);
    });
    const cursor = client.query(
      new Cursor<{ key: string; payload: string }>(
        `SELECT key, payload FROM ${this.s}.checkpoint WHERE segment = $1 ORDER BY key`,
        [segment],
      ),
    );
    try {
      for (;;) {
        const rows = await cursor.read(5000);
        if (rows.length === 0) return;
        yield* rows;
      }
    } finally {
      await cursor.close().catch(() => {});
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}

/** Consecutive outcomes of one action. */
function actionRuns(outcomes: EntryOutcome[]): EntryOutcome[][] {
  const runs: EntryOutcome[][] = [];
  for (const o of outcomes) {
    const last = runs.at(-1);
    if (last && last[0]?.entry.action === o.entry.action) last.push(o);
    else runs.push([o]);
  }
  return runs;
}

/** Connection problems are worth a retry; anything else the server says is a fault to report. */
function storeError(err: unknown): Error {
  if (err instanceof ConfigError || err instanceof TransientError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (e.code === '28P01' || e.code === '3D000' || e.code === '28000' || e.code === '42501') {
    return new ConfigError(`the PostgreSQL state store refused us: ${message}`, {
      keyPath: 'state.url',
      fix: "check state.url (or DATABASE_URL) and the role's rights on the state schema",
      cause: err,
    });
  }
  const network = /Connection terminated|timeout/i.test(message) || /^E[A-Z]+$/.test(e.code ?? '');
  if (network || e.code?.startsWith('08') || e.code === '57P01' || e.code === '40001' || e.code === '40P01') {
    return new TransientError(`PostgreSQL state store: ${message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(message);
}
