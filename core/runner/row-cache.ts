/**
 * The row cache: a source row whose raw fields are exactly those of a row of the last complete run
 * becomes exactly the members it became then (transforms are functions of the row's fields and of
 * the config). Such a row skips the transforms, the fingerprints and the checkpoint probe: its
 * members are marked seen by the checkpoint rowids the cache recorded.
 *
 * A cache is used only when nothing it stands on has moved: the same config hash (transforms with
 * their versions and config, segments, routing, shard, dmpsync version, plugin module files), the
 * same store schema, and every segment's checkpoint generation unchanged since it was committed
 * (a trigger bumps it on any write to that segment's checkpoint). Anything else: the run takes the
 * normal path and records a fresh cache. docs/checkpoint.md#the-row-cache.
 */
import { rowPrint as fieldsPrint } from '../engine/fingerprint.js';
import { emptyRecord, type RecordReader } from '../engine/row-cache-file.js';
import type { StagedMember } from '../engine/store.js';

/** Records kept ahead of and behind the expected one: rows moved, deleted or copied this far are found. */
const AHEAD = 4096;
const BEHIND = 4096;
/** Records read ahead by a deep search, done after 64, 128, 256... rows in a row found nowhere. */
const DEEP = 1 << 16;
const STREAK = 64;
/** Ring of records (a power of two above BEHIND + DEEP), and the print index over it (twice that). */
const RING = 1 << 17;
const INDEX = RING * 2;

/**
 * The fingerprint of a source row's raw fields (fingerprint.ts). Not its file name or row number:
 * a nightly export named by date, or a row moved down by an insert, is still the same row
 * (transforms that read either declare `cacheable: false`).
 */
export const rowPrint = (data: Record<string, unknown>): number => fieldsPrint(data);

/** A member known from the cache: the checkpoint row that holds it, unchanged. */
export class CachedMember implements StagedMember {
  readonly key = '';
  constructor(
    readonly segment: string,
    readonly rowid: number,
  ) {}
  get payload(): string {
    throw new Error('a cached member has no payload here: it is never an ADD');
  }
}

/**
 * Reads the last run's records in step with the source. The records from BEHIND before the expected
 * one (the record after the last match) to AHEAD after it are indexed by print, so a row is found
 * wherever it moved within that span; the next record is tried first, which is how nearly every row
 * of an incremental run is found. A row found nowhere (inserted or changed) consumes nothing.
 * After a streak of misses (a block of new rows, or a deleted block longer than AHEAD), deep
 * searches at doubling intervals index DEEP records ahead. Records hold only prints and rowids.
 */
export class RowCacheReader {
  private readonly prints = new Float64Array(RING);
  /** The record number each ring slot holds (-1: none); a consumed record is marked NaN in prints. */
  private readonly seqs = new Float64Array(RING).fill(-1);
  /**
   * Members per slot: one member inline (segment index, rowid), more in a side list. No objects per
   * record: records wait up to AHEAD rows in the ring, long enough for V8 to promote objects.
   */
  private readonly size = new Uint8Array(RING);
  private readonly seg1 = new Uint16Array(RING);
  private readonly rowid1 = new Float64Array(RING);
  private readonly more: (number[] | undefined)[] = new Array(RING);
  /** Open addressing, linear probing: record numbers by print, stale entries dropped on rebuild. */
  private index = new Float64Array(INDEX).fill(-1);
  private indexed = 0;
  /** The expected record, and the number of the next record to read from the file. */
  private pos = 0;
  private hi = 0;
  private done = false;
  private misses = 0;
  private nextDeep = STREAK;
  private readonly record = emptyRecord();
  hits = 0;

  constructor(
    private readonly file: RecordReader,
    private readonly segments: string[],
  ) {}

  /** The members of the row whose print this is, or undefined (transform the row). */
  match(print: number): CachedMember[] | undefined {
    if (this.hi < this.pos + AHEAD / 2 && !this.done) this.fill(this.pos + AHEAD);
    const next = slot(this.pos);
    if (this.seqs[next] === this.pos && this.prints[next] === print) return this.take(this.pos);
    let seq = this.find(print);
    if (seq < 0 && this.misses + 1 >= this.nextDeep) {
      this.nextDeep *= 2;
      if (!this.done) this.fill(this.pos + DEEP);
      seq = this.find(print);
    }
    if (seq >= 0) return this.take(seq);
    this.misses++;
    return undefined;
  }

  close(): void {
    if (!this.done) this.stop();
  }

  /** The record with this print within the span, or -1. */
  private find(print: number): number {
    const mask = INDEX - 1;
    for (let i = hashOf(print) & mask; ; i = (i + 1) & mask) {
      const seq = this.index[i]!;
      if (seq < 0) return -1;
      const at = slot(seq);
      if (this.seqs[at] === seq && this.prints[at] === print && seq >= this.pos - BEHIND) return seq;
    }
  }

  private take(seq: number): CachedMember[] {
    const at = slot(seq);
    const n = this.size[at]!;
    const members: CachedMember[] = new Array(n);
    if (n === 1) members[0] = new CachedMember(this.segments[this.seg1[at]!]!, this.rowid1[at]!);
    else if (n > 1) {
      const list = this.more[at]!;
      for (let i = 0; i < n; i++)
        members[i] = new CachedMember(this.segments[list[2 * i]!]!, list[2 * i + 1]!);
      this.more[at] = undefined;
    }
    this.prints[at] = Number.NaN; // consumed: never matches again
    this.pos = seq + 1;
    this.misses = 0;
    this.nextDeep = STREAK;
    this.hits++;
    return members;
  }

  private stop(): void {
    this.done = true;
    this.file.close();
  }

  /** Reads records until `upTo` (a record number) and indexes them. */
  private fill(upTo: number): void {
    const r = this.record;
    // The ring slot a new record takes must hold one already behind the span.
    const limit = Math.min(upTo, this.pos - BEHIND + RING);
    while (this.hi < limit) {
      let more: boolean;
      try {
        more = this.file.next(r);
      } catch {
        more = false; // a damaged tail: the rows it would have matched are transformed
      }
      if (!more) {
        this.stop();
        return;
      }
      const seq = this.hi++;
      const at = slot(seq);
      const n = r.n;
      this.seqs[at] = seq;
      this.prints[at] = r.print;
      this.size[at] = n;
      if (n === 1) {
        this.seg1[at] = r.seg[0]!;
        this.rowid1[at] = r.rowid[0]!;
      } else if (n > 1) {
        const list: number[] = new Array(2 * n);
        for (let i = 0; i < n; i++) {
          list[2 * i] = r.seg[i]!;
          list[2 * i + 1] = r.rowid[i]!;
        }
        this.more[at] = list;
      }
      if (Number.isNaN(r.print)) continue; // a dead record: never matches
      if (++this.indexed > INDEX / 2) this.reindex();
      else this.put(seq, r.print);
    }
  }

  private put(seq: number, print: number): void {
    const mask = INDEX - 1;
    let i = hashOf(print) & mask;
    while (this.index[i]! >= 0) i = (i + 1) & mask;
    this.index[i] = seq;
  }

  /** Rebuilds the index from the span's unconsumed records (stale entries pile up as slots are reused). */
  private reindex(): void {
    this.index.fill(-1);
    this.indexed = 0;
    const from = this.pos - BEHIND;
    for (let at = 0; at < RING; at++) {
      const seq = this.seqs[at]!;
      if (seq >= from && !Number.isNaN(this.prints[at]!)) {
        this.put(seq, this.prints[at]!);
        this.indexed++;
      }
    }
  }
}

/** Prints are uniform 52-bit integers: their low 32 bits index the table (NaN gives 0). */
const hashOf = (print: number): number => print | 0;

/** A record number's ring slot (bit operations while it fits in 31 bits). */
const slot = (seq: number): number => (seq < 0x40000000 ? seq & (RING - 1) : seq % RING);
