import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowPrint as fieldsPrint } from '../../core/engine/fingerprint.js';
import { RecordReader, RecordWriter } from '../../core/engine/row-cache-file.js';
import { RowCacheReader } from '../../core/runner/row-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'dmpsync-reader-'));
let files = 0;

/** A committed cache whose record i has print prints[i] and one member: segment 'a', rowid 1000 + i. */
function reader(prints: number[]): RowCacheReader {
  const path = join(dir, `c${files++}`);
  const w = new RecordWriter(path);
  prints.forEach((p, i) => {
    w.row(p, 1);
    w.member(0, 1000 + i);
  });
  w.commit({ format: 1, config: '', schema: 0, segments: ['a'], gens: [0] }, () => undefined);
  w.close();
  return new RowCacheReader(new RecordReader(path), ['a']);
}

/** Rowids the reader answers for each print of `rows` (undefined for a miss). */
function answers(r: RowCacheReader, rows: number[]): (number | undefined)[] {
  return rows.map((p) => r.match(p)?.[0]?.rowid);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('RowCacheReader', () => {
  it('follows deletes, inserts, edits and moves; a deleted block longer than its span is found again', () => {
    const old = range(1, 20_001);
    const rows = [
      ...range(1, 100), // unchanged
      -1, // inserted
      ...range(101, 200), // 100 deleted
      -2, // edited in place of 200
      ...range(1000, 1040), // a block moved up...
      ...range(201, 1000),
      ...range(1040, 3000), // ...from here
      ...range(5000, 6000), // 2000 deleted
      ...range(12_000, 20_001), // 6000 deleted: beyond the 4096 records indexed ahead
      -3,
      -4,
    ];
    const got = answers(reader(old), rows);
    const misses = got.filter((x) => x === undefined).length;
    // The four new rows, and at most the 64 rows before a deep search finds the far side of the gap.
    expect(misses).toBeGreaterThanOrEqual(4);
    expect(misses).toBeLessThanOrEqual(4 + 64);
    rows.forEach((p, i) => {
      if (got[i] !== undefined) expect(got[i]).toBe(1000 + p - 1);
    });
  });

  it('after a long block of new rows still finds the old ones', () => {
    const rows = [...range(-50_000, 0), ...range(1, 2000)];
    const got = answers(reader(range(1, 2000)), rows);
    expect(got.slice(50_000).every((x) => x !== undefined)).toBe(true);
  });

  it('never answers with a record of another print (any edits)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 400 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 400 }),
        (old, rows) => {
          const got = answers(reader(old), rows);
          const used = new Set<number>();
          rows.forEach((p, i) => {
            const id = got[i];
            if (id === undefined) return;
            expect(old[id - 1000]).toBe(p);
            expect(used.has(id)).toBe(false); // each record answers once
            used.add(id);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rowPrint', () => {
  it('tells apart values, their split into fields, field names, and non-string values', () => {
    const prints = [
      { a: 'xy', b: '' },
      { a: 'x', b: 'y' },
      { a: '', b: 'xy' },
      { b: 'xy', a: '' },
      { a: 'xy', c: '' },
      { a: 'xy' },
      { a: 'xy', b: null },
      { a: 'xy', b: 0 },
      { a: 'xy', b: '0' },
      { a: 'xy', b: { c: 1 } },
      { a: 'xy', b: [1] },
    ].map((d) => fieldsPrint(d as Record<string, unknown>));
    expect(new Set(prints).size).toBe(prints.length);
    expect(fieldsPrint({ a: 'xy', b: '' })).toBe(prints[0]);
  });
});
