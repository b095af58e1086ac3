/**
 * Staging, diff and plan of the SQLite store, on one connection that has the private `tmp` and `mem`
 * databases attached. It runs on the store's own connection or, for file databases, on a worker
 * thread's connection (sqlite-stage-worker.ts) so SQLite work overlaps with reading the source.
 *
 * Staging is two steps, so the full rows of unchanged members never cross threads:
 * - `classify` takes keys and payload fingerprints (never payloads), fingerprints the keys, probes
 *   the checkpoint's fingerprint index and records each identity: a member the checkpoint holds by
 *   the checkpoint's rowid (a bit in `seen`, plus a row in `hit` when it is not unchanged), any
 *   other by its key fingerprint (`fresh`);
 * - `keep` then stores the full rows of the members that will be ADDed (new or changed).
 * Each run has its own three tables and bitmap; clearing a run drops them.
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { keyPrintInto, payloadPrint } from './fingerprint.js';
import { MAX_MEMBERS, RecordWriter } from './row-cache-file.js';
import { SeenIds } from './seen-ids.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';
import type { DiffCounts, PlanMode, StagedMember, StagedRows } from './store.js';

/** What a staged identity means against the checkpoint (the numbers are stored in the tables). */
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
/** A count per state, all zero. */
const noCounts = (): number[] => Object.values(State).map(() => 0);
/** States whose full row is kept: they become ADDs. */
const KEPT = `(${State.New}, ${State.Changed})`;
/** States whose checkpoint payload is removed. */
const OLD_PAYLOAD_GOES = `(${State.Changed}, ${State.RemoveHit})`;

/** What a member's action asks of `classify`. */
export const Intent = { Mirror: 0, Add: 1, Remove: 2 } as const;
/** `classify`'s answer per member. */
export const Outcome = { Duplicate: 0, Recorded: 1, Keep: 2 } as const;

/**
 * One batch of members as `classify` takes it, built on the caller's thread: identity keys and
 * payload fingerprints. Keys are fingerprinted by `classify` (on the staging worker): a key built by
 * concatenation is a cons string, and reading it here would flatten it on the busier thread.
 */
export interface PrintedBatch {
  /** The batch's distinct segment names; `seg[i]` indexes into it. */
  segments: string[];
  seg: Uint16Array;
  /** Identity keys of the members that are not row-cache hits, in order. */
  keys: string[];
  /** The payload fingerprint per member (0 for a REMOVE). */
  prints: Float64Array;
  intent: Uint8Array;
  /** Per member: the checkpoint rowid a row-cache hit names (that row holds it unchanged), else 0. */
  rowids: Float64Array;
  /** While the run records a row cache: per source row, its print (NaN: not cacheable) and members. */
  rows?: { print: Float64Array; size: Uint16Array };
}

/** A run's row cache being recorded (row-cache-file.ts): records go to `part` as batches classify. */
interface Recording {
  path: string;
  part: string;
  config: string;
  writer: RecordWriter;
  /** Per member of the current batch: its checkpoint rowid, or its key fingerprints (an ADD). */
  rid: Float64Array;
  k1: Float64Array;
  k2: Float64Array;
}

interface RunTables {
  n: number;
  probe: Database.Statement;
  hitFirst: Database.Statement;
  hitState: Database.Statement;
  hitSet: Database.Statement;
  hitDrop: Database.Statement;
  /** Checkpoint rowids staged this run (hit rows hold only those that are not unchanged). */
  seen: SeenIds;
  freshFirst: Database.Statement;
  freshState: Database.Statement;
  freshSet: Database.Statement;
  keep: Database.Statement;
  /** Row ids of classified members still waiting for their full row, one list per batch, in order. */
  pending: number[][];
  nextRow: number;
  /** Recorded identities per segment and state, kept as they are recorded (no scan to count). */
  counts: Map<number, number[]>;
  recording?: Recording;
}

export class SqliteStaging {
  private readonly runs = new Map<string, RunTables>();
  private runCount = 0;
  private readonly segIds = new Map<string, number>();

  /** The seen bitmap of the run whose plan is being written (the anti-join function reads it). */
  private planning: SeenIds | undefined;

  constructor(private readonly db: Database.Database) {
    // The mirror plan's anti-join: checkpoint rows that no staged identity hit. It reads the bitmap
    // of the plan being written (plans are written one at a time, synchronously), which costs less
    // per checkpoint row than looking the run up by an id argument (62 -> 44 ms per 330k rows).
    db.function('dmp_unseen', { deterministic: false }, (id) => (this.planning?.has(id as number) ? 0 : 1));
  }

  private readonly keyPrints = new Float64Array(2);

  private segId(segment: string): number {
    let id = this.segIds.get(segment);
    if (id === undefined) {
      id = this.segIds.size;
      this.segIds.set(segment, id);
    }
    return id;
  }

  private tables(runId: string): RunTables {
    const have = this.runs.get(runId);
    if (have) return have;
    const n = ++this.runCount;
    this.db.exec(`
      CREATE TABLE mem.hit_${n} (id INTEGER PRIMARY KEY, seg INTEGER NOT NULL, state INTEGER NOT NULL, srow INTEGER);
      CREATE TABLE mem.fresh_${n} (
        seg INTEGER NOT NULL, k1 INTEGER NOT NULL, k2 INTEGER NOT NULL, state INTEGER NOT NULL, srow INTEGER,
        PRIMARY KEY (seg, k1, k2)
      ) WITHOUT ROWID;
      CREATE TABLE tmp.rows_${n} (id INTEGER PRIMARY KEY, key TEXT NOT NULL, payload TEXT NOT NULL);
    `);
    const hit = `INSERT INTO mem.hit_${n} (id, seg, state, srow) VALUES (?, ?, ?, ?)`;
    const fresh = `INSERT INTO mem.fresh_${n} (seg, k1, k2, state, srow) VALUES (?, ?, ?, ?, ?)`;
    // Mirror: the first occurrence of an identity wins. Events: the last event of an identity wins,
    // so a repeated one is read (to move its count) and overwritten.
    const set = 'SET state = ?, srow = ?';
    const freshKey = 'WHERE seg = ? AND k1 = ? AND k2 = ?';
    const t: RunTables = {
      n,
      probe: this.db
        .prepare(
          'SELECT id, p FROM main.checkpoint INDEXED BY checkpoint_fp WHERE segment = ? AND k1 = ? AND k2 = ? LIMIT 1',
        )
        .raw(),
      hitFirst: this.db.prepare(hit),
      hitState: this.db.prepare(`SELECT state FROM mem.hit_${n} WHERE id = ?`).pluck(),
      hitSet: this.db.prepare(
        `${hit} ON CONFLICT (id) DO UPDATE SET state = excluded.state, srow = excluded.srow`,
      ),
      hitDrop: this.db.prepare(`DELETE FROM mem.hit_${n} WHERE id = ?`),
      seen: new SeenIds(),
      freshFirst: this.db.prepare(`${fresh} ON CONFLICT DO NOTHING`),
      freshState: this.db.prepare(`SELECT state FROM mem.fresh_${n} ${freshKey}`).pluck(),
      freshSet: this.db.prepare(`UPDATE mem.fresh_${n} ${set} ${freshKey}`),
      keep: this.db.prepare(`INSERT INTO tmp.rows_${n} (id, key, payload) VALUES (?, ?, ?)`),
      pending: [],
      nextRow: 1,
      counts: new Map(),
    };
    this.runs.set(runId, t);
    return t;
  }

  /**
   * Records a batch's identities and says, per member, whether it was a duplicate (mirror: the
   * identity was staged before in this run), recorded, or recorded and waiting for its full row
   * (`keep`, in the same order). One transaction a batch.
   */
  classify(runId: string, batch: PrintedBatch): Uint8Array {
    const t = this.tables(runId);
    const { segments, seg, keys, prints, intent, rowids } = batch;
    const ids = segments.map((s) => this.segId(s));
    const out = new Uint8Array(seg.length);
    const kept: number[] = [];
    const kp = this.keyPrints;
    const rec = batch.rows && t.recording ? this.sized(t.recording, seg.length) : undefined;
    const pass = () => {
      let k = 0;
      for (let i = 0; i < seg.length; i++) {
        const sid = ids[seg[i]!]!;
        const cached = rowids[i]!;
        if (cached > 0) {
          // A row-cache hit: the checkpoint row holds this member unchanged (mirror mode only).
          const first = t.seen.add(cached);
          if (first) this.tally(t, sid, State.Unchanged, 1);
          out[i] = first ? Outcome.Recorded : Outcome.Duplicate;
          if (rec) rec.rid[i] = cached;
          continue;
        }
        const name = segments[seg[i]!]!;
        keyPrintInto(keys[k++]!, kp, 0);
        const k1 = kp[0]!;
        const k2 = kp[1]!;
        const want = intent[i]!;
        const held = t.probe.get(name, k1, k2) as [number, number] | undefined;
        if (rec) {
          rec.rid[i] = held ? held[0] : 0;
          rec.k1[i] = k1;
          rec.k2[i] = k2;
        }
        let state: State;
        if (held)
          state =
            want === Intent.Remove
              ? State.RemoveHit
              : held[1] === prints[i]
                ? State.Unchanged
                : State.Changed;
        else state = want === Intent.Remove ? State.RemoveMiss : State.New;
        const keep = state === State.New || state === State.Changed;
        const srow = keep ? t.nextRow : null;
        let recorded: boolean;
        if (held) {
          recorded = t.seen.add(held[0]);
          if (recorded && state !== State.Unchanged) t.hitFirst.run(held[0], sid, state, srow);
        } else recorded = t.freshFirst.run(sid, k1, k2, state, srow).changes > 0;
        if (recorded) this.tally(t, sid, state, 1);
        else if (want !== Intent.Mirror) {
          // A later event of an identity already recorded this run: it replaces the earlier one.
          let was: State;
          if (held) {
            was = (t.hitState.get(held[0]) as State | undefined) ?? State.Unchanged;
            if (state !== State.Unchanged) t.hitSet.run(held[0], sid, state, srow);
            else if (was !== State.Unchanged) t.hitDrop.run(held[0]);
          } else {
            was = t.freshState.get(sid, k1, k2) as State;
            t.freshSet.run(state, srow, sid, k1, k2);
          }
          this.tally(t, sid, was, -1);
          this.tally(t, sid, state, 1);
          recorded = true;
        }
        if (!recorded) out[i] = Outcome.Duplicate;
        else if (!keep) out[i] = Outcome.Recorded;
        else {
          out[i] = Outcome.Keep;
          kept.push(t.nextRow++);
        }
      }
    };
    // A batch of row-cache hits only sets bits: no statement, so no transaction to begin and commit.
    if (keys.length > 0) this.db.transaction(pass)();
    else pass();
    if (kept.length) t.pending.push(kept);
    if (rec && batch.rows) this.record(rec, batch, ids, out);
    return out;
  }

  /** Starts recording this run's row cache, to be committed to `path` once the run has sent all. */
  recordCache(runId: string, path: string, config: string): void {
    const t = this.tables(runId);
    this.dropRecording(t);
    // A killed run leaves its part file; the caller holds this pipeline's segment locks, so no other
    // run is writing one for this cache now.
    const dir = dirname(path);
    const stale = `${basename(path)}.`;
    for (const f of readdirSync(dir))
      if (f.startsWith(stale) && f.endsWith('.part')) rmSync(join(dir, f), { force: true });
    const part = `${path}.${runId}.part`;
    const n = 512;
    t.recording = {
      path,
      part,
      config,
      writer: new RecordWriter(part),
      rid: new Float64Array(n),
      k1: new Float64Array(n),
      k2: new Float64Array(n),
    };
  }

  /**
   * Commits the recorded cache: each ADD resolved to the checkpoint row its acknowledgement made (a
   * row with a member not in the checkpoint will never match), under a header with every segment's
   * checkpoint generation as of now, then moved into place. Returns the rows written.
   */
  commitCache(runId: string): number {
    const t = this.runs.get(runId);
    const rec = t?.recording;
    if (!t || !rec) return 0;
    t.recording = undefined;
    const segments = [...this.segIds.keys()];
    // The identity's checkpoint row, if it holds the payload this run sent.
    const find = (seg: number, k1: number, k2: number, p: number) => {
      const held = t.probe.get(segments[seg], k1, k2) as [number, number] | undefined;
      return held && held[1] === p ? held[0] : undefined;
    };
    try {
      this.db.transaction(() => {
        rec.writer.commit(
          {
            format: 1,
            config: rec.config,
            schema: SQLITE_MIGRATIONS.length,
            segments,
            gens: checkpointGens(this.db, segments),
          },
          find,
        );
      })();
    } catch (err) {
      discard(rec);
      throw err;
    }
    rec.writer.close();
    renameSync(rec.part, rec.path);
    return rec.writer.rows;
  }

  private sized(rec: Recording, n: number): Recording {
    if (rec.rid.length < n) {
      rec.rid = new Float64Array(n);
      rec.k1 = new Float64Array(n);
      rec.k2 = new Float64Array(n);
    }
    return rec;
  }

  /** Appends the batch's cacheable rows: every member recorded (no duplicate), no more than 255. */
  private record(rec: Recording, batch: PrintedBatch, ids: number[], out: Uint8Array): void {
    const { print, size } = batch.rows!;
    const w = rec.writer;
    let m = 0;
    for (let r = 0; r < size.length; r++) {
      const n = size[r]!;
      const from = m;
      m += n;
      if (Number.isNaN(print[r]!) || n > MAX_MEMBERS) continue;
      w.row(print[r]!, n);
      for (let i = from; i < m; i++) {
        const sid = ids[batch.seg[i]!]!;
        if (out[i] === Outcome.Duplicate) {
          w.dropRow();
          break;
        }
        if (out[i] === Outcome.Keep) w.unresolved(sid, rec.k1[i]!, rec.k2[i]!, batch.prints[i]!);
        else w.member(sid, rec.rid[i]!);
      }
    }
  }

  private dropRecording(t: RunTables): void {
    const rec = t.recording;
    if (!rec) return;
    t.recording = undefined;
    discard(rec);
  }

  /** The full rows (key, payload, key, payload, ...) of the oldest classified batch that kept some. */
  keep(runId: string, rows: string[]): void {
    const t = this.tables(runId);
    const ids = t.pending.shift();
    if (!ids || ids.length * 2 !== rows.length) {
      throw new Error(`staging out of step: ${rows.length / 2} rows for ${ids?.length ?? 0} kept members`);
    }
    this.db.transaction(() => {
      for (let i = 0; i < ids.length; i++) t.keep.run(ids[i], rows[2 * i], rows[2 * i + 1]);
    })();
  }

  /** Both steps on this thread: true for each member recorded (mirror: first in its segment this run). */
  stage(runId: string, members: StagedMember[], rows?: StagedRows): boolean[] {
    const out = this.classify(runId, printBatch(members, rows));
    const full = keptRows(members, out);
    if (full.length) this.keep(runId, full);
    return recorded(out);
  }

  clear(runId: string): void {
    const t = this.runs.get(runId);
    if (!t) return;
    this.runs.delete(runId);
    this.dropRecording(t);
    this.db.exec(`DROP TABLE mem.hit_${t.n}; DROP TABLE mem.fresh_${t.n}; DROP TABLE tmp.rows_${t.n};`);
  }

  /** Staged identities of one segment, indexed by state. */
  private counts(t: RunTables, sid: number): number[] {
    let c = t.counts.get(sid);
    if (!c) {
      c = noCounts();
      t.counts.set(sid, c);
    }
    return c;
  }

  private tally(t: RunTables, sid: number, state: State, n: number): void {
    const c = this.counts(t, sid);
    c[state] = c[state]! + n;
  }

  diff(runId: string, segment: string, mode: PlanMode): DiffCounts {
    const t = this.runs.get(runId);
    const c = t ? this.counts(t, this.segId(segment)) : noCounts();
    const count = (state: State) => c[state]!;
    const unchanged = count(State.Unchanged);
    const changed = count(State.Changed);
    const checkpoint = checkpointCount(this.db, segment);
    return {
      add: count(State.New),
      // Mirror: whatever the checkpoint holds and this run did not stage is gone.
      remove: mode === 'mirror' ? checkpoint - unchanged - changed : count(State.RemoveHit),
      change: changed,
      unchanged: unchanged + count(State.RemoveMiss),
      staged: c.reduce((a, n) => a + n, 0),
      checkpoint,
    };
  }

  /** Writes the plan to the journal: REMOVEs (gone, old payloads) strictly before ADDs. */
  journalPlan(runId: string, segment: string, mode: PlanMode): { remove: number; add: number } {
    const t = this.runs.get(runId);
    if (!t) return { remove: 0, add: 0 };
    const n = t.n;
    const p = { runId, seg: segment, sid: this.segId(segment) };
    const into = 'INSERT INTO main.journal (segment, run_id, action, key, payload)';
    this.planning = t.seen;
    const planned = this.db.transaction(() => {
      let remove = 0;
      if (mode === 'mirror') {
        // The checkpoint's rows of this segment that no staged identity hit.
        remove += this.db
          .prepare(
            `${into} SELECT c.segment, @runId, 'REMOVE', c.key, c.payload FROM main.checkpoint c INDEXED BY checkpoint_fp
             WHERE c.segment = @seg AND dmp_unseen(c.id)`,
          )
          .run(p).changes;
      }
      remove += this.db
        .prepare(
          `${into} SELECT c.segment, @runId, 'REMOVE', c.key, c.payload
           FROM mem.hit_${n} h JOIN main.checkpoint c ON c.id = h.id
           WHERE h.seg = @sid AND h.state IN ${OLD_PAYLOAD_GOES}`,
        )
        .run(p).changes;
      const add = this.db
        .prepare(
          `${into} SELECT @seg, @runId, 'ADD', r.key, r.payload
           FROM (SELECT srow FROM mem.hit_${n} WHERE seg = @sid AND state IN ${KEPT}
                 UNION ALL SELECT srow FROM mem.fresh_${n} WHERE seg = @sid AND state IN ${KEPT}) s
           JOIN tmp.rows_${n} r ON r.id = s.srow`,
        )
        .run(p).changes;
      return { remove, add };
    });
    let written: { remove: number; add: number };
    try {
      written = planned();
    } finally {
      this.planning = undefined;
    }
    // Writing a large plan fills this connection's page cache; the send phase does not need it.
    this.db.pragma('shrink_memory');
    return written;
  }
}

/** A recording that will not be committed: its part file goes. */
function discard(rec: Recording): void {
  try {
    rec.writer.close();
  } finally {
    rmSync(rec.part, { force: true });
  }
}

/** Members the checkpoint holds for a segment (schema v6 keeps the count with the rows). */
export function checkpointCount(db: Database.Database, segment: string): number {
  const n = db.prepare('SELECT members FROM main.checkpoint_counts WHERE segment = ?').pluck().get(segment);
  return (n as number | undefined) ?? 0;
}

/** Each segment's checkpoint generation (schema v7: bumped by every write to its checkpoint rows). */
export function checkpointGens(db: Database.Database, segments: string[]): number[] {
  const gen = db.prepare('SELECT n FROM main.checkpoint_gen WHERE segment = ?').pluck();
  return segments.map((s) => (gen.get(s) as number | undefined) ?? 0);
}

/** What `keep` takes after `classify` answered `out`: key, payload of each member it keeps. */
export function keptRows(members: StagedMember[], out: Uint8Array): string[] {
  const rows: string[] = [];
  for (let i = 0; i < members.length; i++) {
    if (out[i] === Outcome.Keep) rows.push(members[i]!.key, members[i]!.payload);
  }
  return rows;
}

/** `stage`'s answer from `classify`'s: true for each member recorded. */
export function recorded(out: Uint8Array): boolean[] {
  const fresh: boolean[] = new Array(out.length);
  for (let i = 0; i < out.length; i++) fresh[i] = out[i] !== Outcome.Duplicate;
  return fresh;
}

/** A batch as `classify` takes it: keys, payload fingerprints, segment indexes and intents, no payloads. */
export function printBatch(members: StagedMember[], rows?: StagedRows): PrintedBatch {
  const segments: string[] = [];
  const index = new Map<string, number>();
  const seg = new Uint16Array(members.length);
  const keys: string[] = [];
  const prints = new Float64Array(members.length);
  const intent = new Uint8Array(members.length);
  const rowids = new Float64Array(members.length);
  const segIndex = (segment: string): number => {
    let s = index.get(segment);
    if (s === undefined) {
      s = segments.push(segment) - 1;
      index.set(segment, s);
    }
    return s;
  };
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (m.rowid !== undefined) {
      // A row-cache hit: no key, no payload, just the checkpoint row.
      rowids[i] = m.rowid;
      seg[i] = segIndex(m.segment);
      continue;
    }
    seg[i] = segIndex(m.segment);
    keys.push(m.key);
    prints[i] = m.action === 'REMOVE' ? 0 : (m.payloadPrint ?? payloadPrint(m.payload));
    intent[i] = m.action === undefined ? Intent.Mirror : m.action === 'REMOVE' ? Intent.Remove : Intent.Add;
  }
  return { segments, seg, keys, prints, intent, rowids, ...(rows ? { rows } : {}) };
}
