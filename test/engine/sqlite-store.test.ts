import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../core/engine/sqlite-schema.js';
import { SqliteStore } from '../../core/engine/sqlite-store.js';
import { describeStore } from './store-suite.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'dmpsync-store-')), 'state.db');

describeStore('SqliteStore (staging worker)', async () => {
  const path = fresh();
  return { store: new SqliteStore(path), reopen: async () => new SqliteStore(path) };
});

describeStore('SqliteStore (inline staging)', async () => {
  const path = fresh();
  const open = () => new SqliteStore(path, { stagingWorker: false });
  return { store: open(), reopen: async () => open() };
});

describe('SqliteStore schema migration', () => {
  it('v1 -> v2 keeps every checkpoint row and fingerprints it, so the next diff is exact', async () => {
    const path = fresh();
    const v1 = new Database(path);
    v1.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);');
    v1.exec(SQLITE_MIGRATIONS[0]!);
    const ins = v1.prepare('INSERT INTO checkpoint (segment, key, payload, acked_at) VALUES (?, ?, ?, 1)');
    const key = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;
    for (let i = 0; i < 50; i++) ins.run('s1', key(i), `{"n":${i}}`);
    v1.close();

    const store = new SqliteStore(path);
    try {
      expect(await store.checkpointCount('s1')).toBe(50);
      // Made-up hashes sharing a long prefix stay distinct identities.
      const members = Array.from({ length: 50 }, (_, i) => ({
        segment: 's1',
        key: key(i),
        payload: i === 7 ? '{"n":"changed"}' : `{"n":${i}}`,
      }));
      members.pop(); // #49 left the audience
      members.push({ segment: 's1', key: key(99), payload: '{"n":99}' });
      expect((await store.stage('r', members)).every(Boolean)).toBe(true);
      expect(await store.diff('r', 's1')).toMatchObject({ add: 1, remove: 1, change: 1, unchanged: 48 });
    } finally {
      await store.close();
    }
  });
});
