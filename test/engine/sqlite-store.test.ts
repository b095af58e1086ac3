import { hash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPrint } from '../../core/engine/fingerprint.js';
import { openSqlite } from '../../core/engine/sqlite-open.js';
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

  it('v3 -> v6 re-fingerprints payloads stored the former (MD5) way (v4), drops the key index (v5) and counts members (v6)', async () => {
    const path = fresh();
    const v3 = new Database(path);
    v3.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (3);');
    // v2's SQL fingerprints through these functions: give it the former payload fingerprint.
    const md5Print = (p: string) => Number.parseInt(hash('md5', p, 'hex').slice(0, 13), 16);
    v3.function('dmp_k1', (k) => keyPrint(String(k))[0]);
    v3.function('dmp_k2', (k) => keyPrint(String(k))[1]);
    v3.function('dmp_p', (p) => md5Print(String(p)));
    for (const m of SQLITE_MIGRATIONS.slice(0, 3)) v3.exec(m);
    const ins = v3.prepare(
      'INSERT INTO checkpoint (segment, key, payload, acked_at, k1, k2, p) VALUES (?, ?, ?, 1, ?, ?, ?)',
    );
    const key = (i: number) => `sha256:${(i + 1000).toString(16).padStart(64, 'a')}`;
    for (let i = 0; i < 40; i++)
      ins.run('s1', key(i), `{"n":${i}}`, ...keyPrint(key(i)), md5Print(`{"n":${i}}`));
    v3.prepare(
      `INSERT INTO journal (segment, run_id, action, key, payload, status, done_at) VALUES ('s1', 'old', 'ADD', 'k', '{}', 'acked', 1)`,
    ).run();
    v3.close();

    const store = new SqliteStore(path);
    try {
      const members = Array.from({ length: 40 }, (_, i) => ({
        segment: 's1',
        key: key(i),
        payload: `{"n":${i}}`,
      }));
      members[3]!.payload = '{"n":"changed"}';
      expect(await store.checkpointCount('s1')).toBe(40);
      expect(await store.checkpointCount('s2')).toBe(0);
      await store.stage('r', members);
      expect(await store.diff('r', 's1')).toMatchObject({ add: 0, remove: 0, change: 1, unchanged: 39 });
      // Pruning finds finished entries through the v4 index, not by scanning the whole journal.
      expect(await store.pruneJournal(2)).toBe(1);
      const look = new Database(path, { readonly: true });
      const plan = look
        .prepare(`EXPLAIN QUERY PLAN DELETE FROM journal WHERE status <> 'pending' AND done_at < 2`)
        .all() as { detail: string }[];
      // v5: acknowledgements go through the fingerprint index; the (segment, key) index is gone.
      const indexes = look
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'checkpoint'`)
        .pluck()
        .all();
      look.close();
      expect(plan.map((r) => r.detail).join(' ')).toContain('journal_done');
      expect(indexes).toEqual(['checkpoint_fp']);
    } finally {
      await store.close();
    }
  });
});

/** Steps of acknowledgement outcomes and segment resets over segments a and b and six keys. */
function checkpointSteps(maxLength: number) {
  const key = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;
  const op = fc.record({
    segment: fc.constantFrom('a', 'b'),
    action: fc.constantFrom('ADD', 'REMOVE') as fc.Arbitrary<'ADD' | 'REMOVE'>,
    key: fc.nat(5).map(key),
    // Two payloads: a REMOVE of the payload an ADD already replaced takes nothing out.
    payload: fc.constantFrom('{"v":1}', '{"v":2}'),
    ok: fc.boolean(),
  });
  return fc.array(fc.oneof(fc.array(op, { maxLength: 6 }), fc.constantFrom('a', 'b')), { maxLength });
}

type CheckpointStep =
  | string
  | { segment: string; action: 'ADD' | 'REMOVE'; key: string; payload: string; ok: boolean }[];
let entryId = 0;

async function applyStep(store: SqliteStore, step: CheckpointStep): Promise<void> {
  if (typeof step === 'string') await store.resetSegment(step);
  else
    await store.complete(
      'r',
      step.map(({ ok, ...e }) => ({ entry: { id: ++entryId, ...e }, ok, reason: ok ? undefined : 'no' })),
      1,
    );
}

describe('SqliteStore member counts (v6)', () => {
  it('equal COUNT(*) of the checkpoint after any sequence of acknowledgements, rejections and resets', async () => {
    const path = fresh();
    const store = new SqliteStore(path, { stagingWorker: false });
    const look = new Database(path, { readonly: true });
    const counted = look.prepare('SELECT COUNT(*) FROM checkpoint WHERE segment = ?').pluck();
    try {
      await fc.assert(
        fc.asyncProperty(checkpointSteps(12), async (steps) => {
          for (const s of ['a', 'b']) await store.resetSegment(s); // each run starts empty
          for (const step of steps) {
            await applyStep(store, step);
            for (const s of ['a', 'b']) expect(await store.checkpointCount(s)).toBe(counted.get(s));
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      look.close();
      await store.close();
    }
  });
});

describe('SqliteStore checkpoint generations (v7)', () => {
  it("move whenever a segment's checkpoint rows change, whoever changes them", async () => {
    const path = fresh();
    const store = new SqliteStore(path, { stagingWorker: false });
    const look = new Database(path, { readonly: true });
    const rows = look.prepare('SELECT id, key, payload FROM checkpoint WHERE segment = ? ORDER BY id');
    const snapshot = (s: string) => JSON.stringify(rows.all(s));
    try {
      await fc.assert(
        fc.asyncProperty(checkpointSteps(10), async (steps) => {
          for (const step of steps) {
            const before = ['a', 'b'].map(snapshot);
            const gens = await store.checkpointGens(['a', 'b']);
            await applyStep(store, step);
            const after = await store.checkpointGens(['a', 'b']);
            ['a', 'b'].forEach((s, i) => {
              if (snapshot(s) !== before[i]) expect(after[i]).not.toBe(gens[i]);
            });
          }
        }),
        { numRuns: 100 },
      );
      // A write from outside the store (another tool, a manual fix) moves them too.
      const gens = await store.checkpointGens(['a']);
      const raw = new Database(path);
      raw
        .prepare(
          "INSERT INTO checkpoint (segment, key, payload, acked_at, k1, k2, p) VALUES ('a', 'k', '{}', 1, 1, 2, 3)",
        )
        .run();
      raw.close();
      expect((await store.checkpointGens(['a']))[0]).not.toBe(gens[0]);
    } finally {
      look.close();
      await store.close();
    }
  });
});

describe('SqliteStore diff counts', () => {
  it('match a model of the staged run: mirror (first occurrence wins) and events (last event wins)', async () => {
    const key = (i: number) => `sha256:${(i + 1).toString(16).padStart(64, '0')}`;
    const held = fc.dictionary(fc.nat(7).map(String), fc.constantFrom('{"v":1}', '{"v":2}'), { maxKeys: 6 });
    const event = fc.record({
      k: fc.nat(7).map(String),
      action: fc.constantFrom('ADD', 'REMOVE') as fc.Arbitrary<'ADD' | 'REMOVE'>,
      payload: fc.constantFrom('{"v":1}', '{"v":2}'),
    });
    const batches = fc.array(fc.array(event, { maxLength: 6 }), { maxLength: 4 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(held, batches, fc.boolean(), async (checkpoint, staged, events) => {
        const store = new SqliteStore(':memory:');
        try {
          const entries = Object.entries(checkpoint).map(([k, payload], i) => ({
            entry: { id: i + 1, segment: 's', action: 'ADD' as const, key: key(Number(k)), payload },
            ok: true,
          }));
          await store.complete('seed', entries, 1);
          const runId = `r${++run}`;
          const want = new Map<string, { action: 'ADD' | 'REMOVE'; payload: string }>();
          for (const batch of staged) {
            await store.stage(
              runId,
              batch.map((e) => ({
                segment: 's',
                key: key(Number(e.k)),
                payload: e.payload,
                ...(events ? { action: e.action } : {}),
              })),
            );
            for (const e of batch) if (events || !want.has(e.k)) want.set(e.k, e);
          }
          const model = { add: 0, remove: 0, change: 0, unchanged: 0, staged: want.size };
          for (const [k, e] of want) {
            const had = checkpoint[k];
            if (events && e.action === 'REMOVE') had === undefined ? model.unchanged++ : model.remove++;
            else if (had === undefined) model.add++;
            else if (had === e.payload) model.unchanged++;
            else model.change++;
          }
          const size = Object.keys(checkpoint).length;
          if (!events) model.remove = size - model.unchanged - model.change;
          expect(await store.diff(runId, 's', events ? 'events' : 'mirror')).toEqual({
            ...model,
            checkpoint: size,
          });
        } finally {
          await store.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('openSqlite', () => {
  it('keeps the state in WAL (checkpointed at close) and the staging databases without a rollback journal', () => {
    // Measured: the in-memory rollback journal (allocated and freed per transaction) made staging
    // writes 4-7x slower; better-sqlite3's defensive mode silently refuses journal_mode = OFF.
    const db = openSqlite(fresh());
    try {
      expect(db.pragma('main.journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(100_000);
      expect(db.pragma('mem.journal_mode', { simple: true })).toBe('off');
      expect(db.pragma('tmp.journal_mode', { simple: true })).toBe('off');
      // Defensive mode is back on for everything else.
      expect(() => db.exec('PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = sql')).toThrow();
    } finally {
      db.close();
    }
  });
});
