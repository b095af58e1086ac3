import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { memoryBudget, Prewarm } from '../../core/engine/prewarm.js';
import { SqliteStore } from '../../core/engine/sqlite-store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'dmpsync-prewarm-'));

/** This process's POSIX locks on the file (Linux: /proc/locks names files by device:inode). */
function locksOn(path: string): string[] {
  const ino = statSync(path).ino;
  return readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[4] === String(process.pid) && f[5]?.endsWith(`:${ino}`);
    });
}

/** Descriptors of this process open on the file. */
function descriptorsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

/** A WAL database holding a few MB, with a connection open on it (it holds a shared lock). */
function walDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (x TEXT)');
  const ins = db.prepare('INSERT INTO t VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) ins.run('x'.repeat(2000));
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.prepare('SELECT count(*) FROM t').get();
  return db;
}

describe.skipIf(process.platform !== 'linux')('Prewarm', () => {
  it('reads the whole file, or up to its limit, and closes its descriptor', async () => {
    const path = join(dir(), 'f.bin');
    writeFileSync(path, Buffer.alloc(9 << 20, 7));
    const all = new Prewarm([path]);
    expect(await all.done).toBe(9 << 20);
    expect(descriptorsOn(path)).toBe(1);
    await all.close();
    expect(descriptorsOn(path)).toBe(0);

    const part = new Prewarm([path], 5 << 20);
    expect(await part.done).toBe(5 << 20);
    await part.close();
  });

  it('budgets by the memory available, or a lower container limit', () => {
    const budget = memoryBudget();
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThanOrEqual(freemem() * 1.5); // free memory moves between the two reads
    const limit = process.constrainedMemory?.() ?? 0;
    if (limit > 0) expect(budget).toBeLessThanOrEqual(limit);
  });

  it('reads several files in order, the limit counting them all', async () => {
    const d = dir();
    const a = join(d, 'a.bin');
    const b = join(d, 'b.bin');
    writeFileSync(a, Buffer.alloc(3 << 20));
    writeFileSync(b, Buffer.alloc(6 << 20));
    const both = new Prewarm([a, b]);
    expect(await both.done).toBe(9 << 20);
    expect(descriptorsOn(a) + descriptorsOn(b)).toBe(2);
    await both.close();
    expect(descriptorsOn(a) + descriptorsOn(b)).toBe(0);
    const first = new Prewarm([a, b], 4 << 20);
    expect(await first.done).toBe(4 << 20);
    await first.close();
  });

  it('stops after the read in flight, and a missing file only ends it', async () => {
    const path = join(dir(), 'f.bin');
    writeFileSync(path, Buffer.alloc(64 << 20));
    const w = new Prewarm([path]);
    expect(await w.stop()).toBeLessThan(64 << 20);
    await w.close();
    expect(descriptorsOn(path)).toBe(0);

    const gone = new Prewarm([join(dir(), 'missing.db')]);
    expect(await gone.done).toBe(0);
    await gone.close();
  });

  it('keeps SQLite locks: its descriptor stays open while a connection is, which closing one would drop', async () => {
    const path = join(dir(), 'state.db');
    const db = walDatabase(path);
    const held = locksOn(path);
    expect(held.length).toBeGreaterThan(0); // the connection's shared lock on the database file

    const w = new Prewarm([path]);
    expect(await w.done).toBe(statSync(path).size);
    expect(locksOn(path)).toEqual(held);

    // The hazard it avoids, shown: closing any other descriptor of the file drops the lock.
    closeSync(openSync(path, 'r'));
    expect(locksOn(path)).toEqual([]);

    db.close();
    await w.close();
    expect(descriptorsOn(path)).toBe(0);
  });
});

describe.skipIf(process.platform !== 'linux')('SqliteStore prewarm', () => {
  it('reads the state file from the start of a run, keeps the connections locks, and closes last', async () => {
    const path = join(dir(), 'state.db');
    walDatabase(path).close();
    // Row cache files go first (the source read needs them at once); part files are skipped.
    writeFileSync(`${path}.rowcache-0123456789abcdef`, Buffer.alloc(1 << 20));
    writeFileSync(`${path}.rowcache-0123456789abcdef.r0.part`, Buffer.alloc(1 << 20));
    const store = new SqliteStore(path);
    await store.startRun('r1', { mode: 'mirror', startedAt: Date.now() });
    expect(await store.prewarmed).toBe(statSync(path).size + (1 << 20));
    await store.checkpointCount('s1');
    expect(locksOn(path).length).toBeGreaterThan(0);
    await store.close();
    expect(descriptorsOn(path)).toBe(0);
    expect(locksOn(path)).toEqual([]);
  });

  it('is off with prewarm: false and for in-memory databases', async () => {
    const path = join(dir(), 'state.db');
    const off = new SqliteStore(path, { prewarm: false });
    await off.startRun('r1', { mode: 'mirror', startedAt: Date.now() });
    expect(off.prewarmed).toBeUndefined();
    await off.close();
    const mem = new SqliteStore(':memory:');
    await mem.startRun('r1', { mode: 'mirror', startedAt: Date.now() });
    expect(mem.prewarmed).toBeUndefined();
    await mem.close();
  });
});
