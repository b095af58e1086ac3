import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../core/engine/sqlite-store.js';
import { Accounting } from '../../core/runner/accounting.js';
import { Stager } from '../../core/runner/rows.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'dmpsync-stager-')), 'state.db');
const key = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

describe('Stager with batches queued on the SQLite staging worker', () => {
  it('settles rows in order: the first occurrence of an identity is emitted, later ones are duplicates', async () => {
    const store = new SqliteStore(fresh());
    expect(store.stageDepth).toBeGreaterThan(1);
    const accounting = new Accounting();
    const stager = new Stager(store, 'run', accounting, 7, store.stageDepth);
    try {
      // 200 rows over 60 identities in two segments; a row routed to both is a duplicate only if
      // both of its members are.
      const seen = new Set<string>();
      let duplicates = 0;
      for (let r = 0; r < 200; r++) {
        const id = (r * 37) % 60;
        const segments = r % 3 === 0 ? ['a', 'b'] : [r % 2 ? 'a' : 'b'];
        const isNew = segments.map((s) => !seen.has(`${s}/${id}`)).some(Boolean);
        for (const s of segments) seen.add(`${s}/${id}`);
        if (!isNew) duplicates++;
        await stager.add({
          members: segments.map((segment) => ({ segment, key: key(id), payload: `{"r":${id}}` })),
        });
      }
      await stager.flush();
      expect(accounting.counts).toMatchObject({ emitted: 200 - duplicates, duplicate: duplicates });
      expect(duplicates).toBeGreaterThan(50);
      const counted = [...stager.duplicatesBySegment.values()].reduce((a, n) => a + n, 0);
      const members = 200 + Math.ceil(200 / 3);
      expect(counted).toBe(members - seen.size);
      expect((await store.diff('run', 'a')).add + (await store.diff('run', 'b')).add).toBe(seen.size);
    } finally {
      await store.close();
    }
  });

  it('surfaces a failed batch when the runner next waits, never as an unhandled rejection', async () => {
    const store = new SqliteStore(fresh(), { stagingWorker: false });
    const stager = new Stager(store, 'run', new Accounting(), 1, 4);
    await store.close(); // the connection is closed: every batch from now on fails
    let failure: unknown;
    try {
      for (let r = 0; r < 10; r++)
        await stager.add({ members: [{ segment: 'a', key: key(r), payload: '{}' }] });
      await stager.flush();
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).toMatch(/not open/);
  });
});
