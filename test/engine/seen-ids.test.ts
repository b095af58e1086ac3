/**
 * SeenIds is the staging's record of which checkpoint rows a run hit: a wrong bit is a wrong diff
 * (a member removed that is still in the source, or a duplicate sent twice), so it is checked
 * against a Set over dense, sparse and huge rowids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenIds } from '../../core/engine/seen-ids.js';

const rowid = fc.oneof(
  fc.integer({ min: 1, max: 5000 }), // dense: the common case, collisions likely
  fc.integer({ min: 1, max: 2 ** 31 }), // beyond 32 bits of bits
  fc.maxSafeInteger().filter((n) => n > 0), // SQLite rowids up to 2^53 as JS numbers
);

describe('SeenIds', () => {
  it('answers add and has like a Set, for any sequence of rowids', () => {
    fc.assert(
      fc.property(fc.array(rowid, { maxLength: 400 }), fc.array(rowid, { maxLength: 100 }), (ids, probes) => {
        const seen = new SeenIds();
        const model = new Set<number>();
        for (const id of ids) {
          expect(seen.add(id)).toBe(!model.has(id));
          model.add(id);
        }
        for (const id of [...ids, ...probes]) expect(seen.has(id)).toBe(model.has(id));
        expect(seen.size).toBe(model.size);
      }),
    );
  });

  it('tells neighbouring bits and chunk edges apart', () => {
    const seen = new SeenIds();
    for (const id of [0, 31, 32, 65535, 65536, 65537, 2 ** 32 - 1, 2 ** 32]) expect(seen.add(id)).toBe(true);
    for (const id of [1, 30, 33, 65534, 65538, 2 ** 32 - 2, 2 ** 32 + 1]) expect(seen.has(id)).toBe(false);
    expect(seen.add(65536)).toBe(false);
    expect(seen.size).toBe(8);
  });

  it('refuses what cannot be a rowid instead of marking a wrong bit', () => {
    const seen = new SeenIds();
    seen.add(0); // its chunk exists: 1.5 must not land on bit 1
    expect(() => seen.add(-1)).toThrow(RangeError);
    expect(() => seen.add(2 ** 60)).toThrow(RangeError);
    expect(() => seen.add(1.5)).toThrow(RangeError);
    expect(seen.has(1)).toBe(false);
    expect(seen.has(1.5)).toBe(false);
  });
});
