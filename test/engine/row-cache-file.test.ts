import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  emptyRecord,
  RecordReader,
  RecordWriter,
  type RowCacheHeader,
} from '../../core/engine/row-cache-file.js';

const header: RowCacheHeader = { format: 1, config: 'abc', schema: 7, segments: ['a', 'b'], gens: [3, 9] };
const dir = mkdtempSync(join(tmpdir(), 'dmpsync-rowcache-'));

type Read = { print: number; seg: number[]; rowid: number[] };

function readAll(path: string): { header: RowCacheHeader; records: Read[] } {
  const r = new RecordReader(path);
  const records: Read[] = [];
  const rec = emptyRecord();
  while (r.next(rec))
    records.push({
      print: rec.print,
      seg: [...rec.seg.subarray(0, rec.n)],
      rowid: [...rec.rowid.subarray(0, rec.n)],
    });
  r.close();
  return { header: r.header, records };
}

describe('row cache file', () => {
  it('round-trips records; ADDs resolve in place or kill their record; a dropped row leaves no trace', () => {
    const path = join(dir, 'one');
    const w = new RecordWriter(path);
    w.row(11, 2);
    w.member(0, 100);
    w.member(1, 200);
    w.row(12, 1);
    w.unresolved(1, 5, 6, 7); // acknowledged: resolves to 300
    w.row(13, 2);
    w.member(0, 101);
    w.dropRow(); // a duplicate member turned up: the whole row goes
    w.row(14, 1);
    w.unresolved(0, 8, 9, 10); // never reached the checkpoint
    w.row(15, 0); // routed only to another shard's segments
    const asked: number[][] = [];
    w.commit(header, (seg, k1, k2, p) => {
      asked.push([seg, k1, k2, p]);
      return k1 === 5 ? 300 : undefined;
    });
    w.close();
    expect(w.rows).toBe(4);
    expect(asked).toEqual([
      [1, 5, 6, 7],
      [0, 8, 9, 10],
    ]);
    const { header: h, records } = readAll(path);
    expect(h).toEqual(header);
    expect(records).toEqual([
      { print: 11, seg: [0, 1], rowid: [100, 200] },
      { print: 12, seg: [1], rowid: [300] },
      { print: Number.NaN, seg: [0], rowid: [0] },
      { print: 15, seg: [], rowid: [] },
    ]);
  });

  it('crosses its 1 MB write buffer and 4 MB read buffer, resolving slots window by window', () => {
    const path = join(dir, 'big');
    const w = new RecordWriter(path);
    const n = 300_000;
    for (let i = 0; i < n; i++) {
      w.row(i + 0.5, 1);
      if (i % 3 === 0) w.unresolved(i % 2, i, i + 1, i + 2);
      else w.member(i % 2, i * 10);
    }
    w.commit(header, (_seg, k1) => (k1 % 2 === 0 ? k1 * 10 : undefined));
    w.close();
    expect(statSync(path).size).toBeGreaterThan(4 << 20);
    const { records } = readAll(path);
    expect(records).toHaveLength(n);
    for (let i = 0; i < n; i += 997) {
      const r = records[i]!;
      const dead = i % 3 === 0 && i % 2 === 1;
      expect(r.print).toBe(dead ? Number.NaN : i + 0.5);
      expect(r.seg).toEqual([i % 2]);
      expect(r.rowid).toEqual([dead ? 0 : i * 10]);
    }
  });

  it('refuses a file that is not a committed cache, and a truncated one', () => {
    const other = join(dir, 'other');
    writeFileSync(other, 'email,first_name\nx,y\n');
    expect(() => new RecordReader(other)).toThrow(/not a dmpsync row cache/);
    const path = join(dir, 'cut');
    const w = new RecordWriter(path);
    for (let i = 0; i < 10; i++) {
      w.row(i, 1);
      w.member(0, i);
    }
    w.commit(header, () => undefined);
    w.close();
    const whole = readFileSync(path);
    // The records lose their last bytes, the header stays readable: the reader stops with an error.
    writeFileSync(path, Buffer.concat([whole.subarray(0, 15), whole.subarray(19 * 10)]));
    const r = new RecordReader(path);
    const rec = emptyRecord();
    expect(() => {
      while (r.next(rec));
    }).toThrow(/truncated/);
    r.close();
    truncateSync(path, 5);
    expect(() => new RecordReader(path)).toThrow(/not a dmpsync row cache/);
  });
});
