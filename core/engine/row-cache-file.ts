/**
 * The row cache's file: what each source row of the last complete run became. One record per
 * cacheable row, in source order: the fingerprint of the row's raw fields and, per member, its
 * segment and the rowid of the checkpoint row holding it. No key, no payload, no raw value.
 *
 *   records | header JSON | u32 header length | "DMPRC1\n"
 *   record: f64 row print | u8 members | members x member
 *   member: u16 segment index | f64 checkpoint rowid
 *         | u16 (segment index | UNRESOLVED) | f64 key print 1 | f64 key print 2 | f64 payload print
 *
 * While a run records, a member not yet in the checkpoint (an ADD) is written unresolved. The commit
 * patches each in place: to RESOLVED (segment, rowid, 16 unused bytes) once its acknowledgement made
 * the row, or DEAD (the record then never matches). The header goes last, so recording streams.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

const MAGIC = Buffer.from('DMPRC1\n');
const TRAILER = 4 + MAGIC.length;
export const UNRESOLVED = 0x8000;
/** An unresolved slot patched with its rowid. */
export const RESOLVED = 0x4000;
/** An unresolved slot whose member is not in the checkpoint: the row is transformed next time. */
export const DEAD = 0x2000;
const FLAGS = UNRESOLVED | RESOLVED | DEAD;
/** Bytes of an unresolved member slot. */
const SLOT = 26;
/** A record's largest size: print, count, 255 unresolved members. */
const MAX_RECORD = 9 + 255 * SLOT;
export const MAX_MEMBERS = 255;

export interface RowCacheHeader {
  /** Bumped when the file format or the meaning of a record changes. */
  format: 1;
  /** Hash of everything a row's members depend on besides its raw fields (row-cache.ts). */
  config: string;
  /** The state store's schema version the rowids belong to. */
  schema: number;
  /** Segment keys, indexed by the records' segment index. */
  segments: string[];
  /** Each segment's checkpoint generation when the file was committed (`checkpoint_gen`). */
  gens: number[];
}

/** Appends records to a file through a 1 MB buffer (the staging worker writes as it classifies). */
export class RecordWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private at = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private count = 0;
  private start = 0;
  /** File offsets of unresolved slots, in order. */
  private slots = new Float64Array(1024);
  private nslots = 0;
  private rowSlots = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w+', 0o600);
  }

  /** Starts a record; `members` entries must follow. */
  row(print: number, members: number): void {
    this.room(MAX_RECORD);
    this.start = this.at;
    this.rowSlots = this.nslots;
    this.at = this.buf.writeDoubleLE(print, this.at);
    this.at = this.buf.writeUInt8(members, this.at);
    this.count++;
  }

  member(seg: number, rowid: number): void {
    this.at = this.buf.writeUInt16LE(seg, this.at);
    this.at = this.buf.writeDoubleLE(rowid, this.at);
  }

  unresolved(seg: number, k1: number, k2: number, p: number): void {
    if (this.nslots === this.slots.length) {
      const more = new Float64Array(this.slots.length * 2);
      more.set(this.slots);
      this.slots = more;
    }
    this.slots[this.nslots++] = this.base + this.at;
    this.at = this.buf.writeUInt16LE(seg | UNRESOLVED, this.at);
    this.at = this.buf.writeDoubleLE(k1, this.at);
    this.at = this.buf.writeDoubleLE(k2, this.at);
    this.at = this.buf.writeDoubleLE(p, this.at);
  }

  /** Takes back the record just started (a member of it turned out not to be cacheable). */
  dropRow(): void {
    this.at = this.start;
    this.nslots = this.rowSlots;
    this.count--;
  }

  get rows(): number {
    return this.count;
  }

  /**
   * Resolves every unresolved slot in place (`find`: the rowid of segment index + key and payload
   * prints, or undefined), appends the header, and makes it durable. The caller then renames it.
   */
  commit(
    header: RowCacheHeader,
    find: (seg: number, k1: number, k2: number, p: number) => number | undefined,
  ): void {
    this.flush();
    // Slots are patched in the 1 MB buffer, a window of the file at a time: one read and one write
    // per window instead of per slot (a first sync resolves a slot for every member).
    const buf = this.buf;
    let from = -1;
    let to = -1;
    let dirty = false;
    const writeBack = () => {
      if (dirty) writeSync(this.fd, buf, 0, to - from, from);
      dirty = false;
    };
    for (let i = 0; i < this.nslots; i++) {
      const pos = this.slots[i]!;
      if (pos < from || pos + SLOT > to) {
        writeBack();
        from = pos;
        to = pos + readSync(this.fd, buf, 0, buf.length, pos);
      }
      const at = pos - from;
      const seg = buf.readUInt16LE(at) & ~FLAGS;
      const id = find(seg, buf.readDoubleLE(at + 2), buf.readDoubleLE(at + 10), buf.readDoubleLE(at + 18));
      buf.writeUInt16LE(seg | (id === undefined ? DEAD : RESOLVED), at);
      buf.writeDoubleLE(id ?? 0, at + 2);
      dirty = true;
    }
    writeBack();
    const json = Buffer.from(JSON.stringify(header));
    const tail = Buffer.alloc(json.length + TRAILER);
    json.copy(tail, 0);
    tail.writeUInt32LE(json.length, json.length);
    MAGIC.copy(tail, json.length + 4);
    writeSync(this.fd, tail, 0, tail.length, this.base);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  private room(n: number): void {
    if (this.at + n > this.buf.length) this.flush();
  }

  private flush(): void {
    let off = 0;
    while (off < this.at) off += writeSync(this.fd, this.buf, off, this.at - off, this.base + off);
    this.base += this.at;
    this.at = 0;
  }
}

/** One record as read back: a dead record (a member that never reached the checkpoint) has print NaN. */
export interface RawRecord {
  print: number;
  /** Members: the first `n` entries of `seg` and `rowid`. */
  n: number;
  seg: Uint16Array;
  rowid: Float64Array;
}

/** Reads a committed cache file front to back in 4 MB chunks. */
export class RecordReader {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(4 << 20);
  /** Records are packed (unaligned): a DataView reads them without Buffer's per-call checks. */
  private readonly view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private at = 0;
  private end = 0;
  /** File offset of the next read, and where the records end. */
  private pos = 0;
  private readonly limit: number;
  private closed = false;
  readonly header: RowCacheHeader;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    try {
      const size = fstatSync(this.fd).size;
      const tail = Buffer.alloc(TRAILER);
      if (size < TRAILER || readSync(this.fd, tail, 0, TRAILER, size - TRAILER) !== TRAILER)
        throw new Error('not a dmpsync row cache');
      if (!tail.subarray(4).equals(MAGIC)) throw new Error('not a dmpsync row cache');
      const len = tail.readUInt32LE(0);
      if (len > size - TRAILER) throw new Error('row cache header damaged');
      const json = Buffer.alloc(len);
      readSync(this.fd, json, 0, len, size - TRAILER - len);
      this.header = JSON.parse(json.toString('utf8')) as RowCacheHeader;
      this.limit = size - TRAILER - len;
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  /** The next record into `r`; false at the end. A truncated record throws. */
  next(r: RawRecord): boolean {
    this.fill(MAX_RECORD);
    if (this.at === this.end) return false;
    const v = this.view;
    if (this.end - this.at < 9) throw new Error('row cache truncated');
    r.print = v.getFloat64(this.at, true);
    const n = v.getUint8(this.at + 8);
    let at = this.at + 9;
    r.n = n;
    for (let i = 0; i < n; i++) {
      if (this.end - at < 2) throw new Error('row cache truncated');
      const flags = v.getUint16(at, true);
      const size = flags & FLAGS ? SLOT : 10;
      if (this.end - at < size) throw new Error('row cache truncated');
      if (flags & (DEAD | UNRESOLVED)) r.print = Number.NaN;
      r.seg[i] = flags & ~FLAGS;
      r.rowid[i] = v.getFloat64(at + 2, true);
      at += size;
    }
    this.at = at;
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Makes at least `n` bytes available from `at`, unless the records end first. */
  private fill(n: number): void {
    if (this.end - this.at >= n || this.pos >= this.limit) return;
    this.buf.copy(this.buf, 0, this.at, this.end);
    this.end -= this.at;
    this.at = 0;
    while (this.end < this.buf.length && this.pos < this.limit) {
      const want = Math.min(this.buf.length - this.end, this.limit - this.pos);
      const got = readSync(this.fd, this.buf, this.end, want, this.pos);
      if (got === 0) throw new Error('row cache truncated');
      this.end += got;
      this.pos += got;
    }
  }
}

export const emptyRecord = (): RawRecord => ({
  print: 0,
  n: 0,
  seg: new Uint16Array(MAX_MEMBERS),
  rowid: new Float64Array(MAX_MEMBERS),
});
