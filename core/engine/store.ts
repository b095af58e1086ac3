/**
 * The state store: staging, diff, journal and checkpoint for "a set of members per segment".
 * SQLite (embedded default) and PostgreSQL (shared, many workers) implement the same contract,
 * so the engine above it is written once. Diffs are computed in SQL, never in JS arrays.
 */
import type { Action } from '../plugin.js';

export interface StagedMember {
  segment: string;
  key: string;
  /** Canonical JSON of the payload (hashes only, never raw emails). */
  payload: string;
  /** Events mode: what the row asks for. Absent in mirror mode (the staged set is the audience). */
  action?: Action;
  /**
   * `payloadPrint(payload)` (fingerprint.ts), when the producer can tell it without serializing the
   * payload: a store that diffs on fingerprints then reads `payload` only for the members it keeps.
   */
  readonly payloadPrint?: number;
  /**
   * A row-cache hit (core/runner/row-cache.ts): the checkpoint row that holds this member with the
   * payload the row gives. Such a member has no key or payload to read.
   */
  readonly rowid?: number;
}

/** The source rows behind a `stage` batch, for the row cache: each row's print and member count. */
export interface StagedRows {
  /** The row's raw-field fingerprint; NaN for a row that must not be cached. */
  print: Float64Array;
  size: Uint16Array;
}

/** A store that can keep a row cache (the SQLite store). */
export interface RowCacheSupport {
  /** The file of a pipeline's cache, next to the database. */
  cachePath(name: string): string;
  /** Each segment's checkpoint generation, bumped by every write to its checkpoint rows. */
  checkpointGens(segments: string[]): Promise<number[]>;
  /** The store schema version a cache's rowids belong to. */
  readonly schemaVersion: number;
  /** Records this run's cache as batches are staged (pass `rows` to `stage`). */
  recordCache(runId: string, path: string, config: string): Promise<void>;
  /** Writes the recorded cache in place: call only once every plan of the run is fully sent. */
  commitCache(runId: string): Promise<number>;
}

/**
 * mirror: the staged members are the whole audience (what is not staged is removed).
 * events: staged members carry ADD/REMOVE; the last event of an identity in a run wins; members
 * with no event are left alone.
 */
export type PlanMode = 'mirror' | 'events';

export interface DiffCounts {
  /** New identities. */
  add: number;
  /** Identities gone from the source (mirror), or REMOVE events of members the checkpoint holds (events). */
  remove: number;
  /** Identities whose payload changed: each is one REMOVE (old payload) plus one ADD (new payload). */
  change: number;
  /** Identities present on both sides with the same payload (events: also REMOVEs of absent members). */
  unchanged: number;
  /** Identities staged for this run. */
  staged: number;
  /** Members in the checkpoint before the run. */
  checkpoint: number;
}

/** A source's resumable state per stream, as its `state` items carry it. */
export type SourceStates = Record<string, Record<string, unknown>>;

export interface JournalEntry {
  id: number;
  segment: string;
  action: Action;
  key: string;
  payload: string;
}

export interface EntryOutcome {
  entry: JournalEntry;
  ok: boolean;
  reason?: string;
}

export interface SegmentRecord {
  key: string;
  remoteId: string | null;
  lastRunId: string | null;
  lastRunAt: number | null;
  lastRunStatus: string | null;
}

export interface LockInfo {
  segment: string;
  owner: string;
  host: string;
  pid: number;
  heartbeatAt: number;
  expiresAt: number;
}

export interface StateStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create or migrate the schema. Idempotent. */
  migrate(): Promise<void>;

  // ---- runs
  startRun(runId: string, info: { mode: string; startedAt: number }): Promise<void>;
  finishRun(runId: string, status: string, report: unknown): Promise<void>;

  // ---- locks (one run per segment at a time)
  /** Takes the lock if free or expired (or held by a dead process on this host). Returns the holder when refused. */
  acquireLock(
    segment: string,
    owner: { id: string; host: string; pid: number },
    ttlMs: number,
    now: number,
  ): Promise<LockInfo | null>;
  renewLocks(segments: string[], ownerId: string, ttlMs: number, now: number): Promise<void>;
  releaseLocks(segments: string[], ownerId: string): Promise<void>;

  // ---- segments
  getSegment(segment: string): Promise<SegmentRecord | null>;
  saveSegment(
    segment: string,
    fields: { remoteId?: string; lastRunId?: string; lastRunAt?: number; lastRunStatus?: string },
  ): Promise<void>;
  /** The remote membership is gone (EXPIRED, deleted): empty the checkpoint, drop unfinished journal entries. */
  resetSegment(segment: string): Promise<{ checkpointCleared: number; journalDropped: number }>;

  // ---- staging
  /**
   * Stages members for a run; returns, for each input, true if new or false if a duplicate identity
   * in its segment (mirror). Events (members with `action`) are always recorded: the last one wins.
   */
  stage(runId: string, members: StagedMember[], rows?: StagedRows): Promise<boolean[]>;
  /** Present on a store that can keep a row cache. */
  readonly rowCache?: RowCacheSupport;
  /**
   * Members per `stage` call that suit this store (default 5000). The runner holds each batch's
   * members until the store answers, so a store that answers from another thread asks for small
   * batches: members then die young instead of being promoted and copied by the garbage collector.
   */
  readonly stageBatchSize?: number;
  /**
   * Batches the runner may hand over before the oldest has answered (default 1). Only a store that
   * serves `stage` calls strictly in order (the SQLite staging worker) asks for more, so its thread
   * always has the next batch waiting instead of idling while the runner builds it.
   */
  readonly stageDepth?: number;
  clearStaging(runId: string): Promise<void>;
  /**
   * `journalPlan` may run while `complete` commits another segment's acknowledgements (SQLite: the
   * plan is written on the staging connection or synchronously). Not on a single shared client
   * (PostgreSQL), where one transaction would interleave with the other's statements.
   */
  readonly concurrentPlans?: boolean;
  /** A segment's sends are done: the store may write back what they changed, off the main thread. */
  writeBack?(): void;

  // ---- diff and journal
  diff(runId: string, segment: string, mode?: PlanMode): Promise<DiffCounts>;
  /**
   * Writes the diff to the journal (REMOVEs first, then ADDs), before anything is sent. Returns the
   * entries journaled per action (a changed member is one of each); call `diff` for the full counts.
   */
  journalPlan(runId: string, segment: string, mode?: PlanMode): Promise<{ remove: number; add: number }>;
  pendingCounts(segment: string): Promise<{ add: number; remove: number }>;
  /** Up to `limit` unfinished entries after `afterId`, of one action (the first pending entry's). */
  nextBatch(segment: string, afterId: number, limit: number): Promise<JournalEntry[]>;
  /** In ONE transaction: acked entries move into/out of the checkpoint and are marked done; rejected ones are recorded. */
  complete(runId: string, outcomes: EntryOutcome[], now: number): Promise<void>;

  // ---- source state (events mode resumes reading where the last complete run ended)
  getSourceState(name: string): Promise<SourceStates | null>;
  saveSourceState(name: string, state: SourceStates, now: number): Promise<void>;

  /** Deletes finished journal entries done before `before` (ms); pending entries stay. Returns how many. */
  pruneJournal(before: number): Promise<number>;

  // ---- read-back
  checkpointCount(segment: string): Promise<number>;
  /** Iterates the checkpoint of a segment (tests, export). */
  checkpointMembers(segment: string): AsyncIterable<{ key: string; payload: string }>;

  close(): Promise<void>;
}
