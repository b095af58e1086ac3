/**
 * The row cache must never change a result, only skip work. Two pipelines read the same files into
 * the same emulator, one with the row cache (the default) and one without (`state.rowCache: false`);
 * after every run their reports and their segments' members at the emulator must be identical,
 * through deletes, inserts, edits, moves, duplicates, rejects, notes and re-routing.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { builtinRegistry } from '../../connectors/index.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { mulberry32 } from '../../connectors/linkedin-dmp/emulator/prng.js';
import { loadPipeline } from '../../core/config/load.js';
import { SqliteStore } from '../../core/engine/sqlite-store.js';
import type { RunReport } from '../../core/runner/report.js';
import { runPipeline } from '../../core/runner/sync.js';
import { tempDir } from './helpers.js';

type Row = { email: string; first: string; last: string; title: string; segments: string };

const SEGMENTS = ['customer', 'trial', 'vip'];

function person(id: number, rand: () => number): Row {
  const segs = SEGMENTS.filter(() => rand() < 0.5);
  return {
    email: id % 7 === 0 ? `  Person${id}@Example.COM ` : `person${id}@example.com`,
    first: `First${id}`,
    last: `Last${id}`,
    title: `Title ${Math.floor(rand() * 5)}`,
    segments: (segs.length ? segs : ['customer']).join(';'),
  };
}

const csvOf = (rows: Row[]) =>
  `email,first_name,last_name,job_title,segments\n${rows
    .map((r) => [r.email, r.first, r.last, `"${r.title.replace(/"/g, '""')}"`, r.segments].join(','))
    .join('\n')}\n`;

/** One round of churn: every kind of change a nightly export sees. */
function churn(rows: Row[], rand: () => number, nextId: () => number): Row[] {
  const pick = () => Math.floor(rand() * out.length);
  let out = rows.filter(() => rand() > 0.03); // 3% deleted
  out = out.map((r) => {
    const x = rand();
    if (x < 0.02) return { ...r, title: `Title ${Math.floor(rand() * 50)}` }; // payload change
    if (x < 0.03) return { ...r, email: `moved${nextId()}@example.com` }; // identity change
    if (x < 0.04) return { ...r, segments: SEGMENTS[Math.floor(rand() * 3)]! }; // re-routed
    if (x < 0.045) return { ...r, email: 'not-an-email' }; // rejected
    if (x < 0.05) return { ...r, title: 'x'.repeat(130) }; // noted (title truncated)
    return r;
  });
  // A deleted block longer than the cache's look-ahead window, now and then.
  if (rand() < 0.5 && out.length > 1500) out.splice(Math.floor(rand() * (out.length - 1200)), 1100);
  for (let i = 0; i < 30; i++) out.splice(pick(), 0, person(nextId(), rand)); // inserted anywhere
  for (let i = 0; i < 10; i++) {
    // A duplicate identity, before or after its original, with another payload or the same.
    const r = out[pick()]!;
    const copy = rand() < 0.5 ? { ...r } : { ...r, title: `Dup ${i}` };
    out.splice(pick(), 0, copy);
  }
  // A block moved elsewhere.
  const at = pick();
  const block = out.splice(at, 40);
  out.splice(pick(), 0, ...block);
  return out;
}

interface Side {
  file: string;
  account: string;
}

function pipelineFile(dir: string, restUrl: string, account: string, rowCache: boolean, title = 'job_title') {
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(
    file,
    YAML.stringify({
      name: 'cache-diff',
      source: { type: 'csv', config: { path: './audience.csv' } },
      transforms: [
        { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
        {
          type: 'linkedin-user',
          config: { fields: { email: 'email', firstName: 'first_name', lastName: 'last_name', title } },
        },
      ],
      destination: {
        type: 'linkedin-dmp',
        config: {
          baseUrl: restUrl,
          auth: { accessToken: `token-${account}` },
          adAccount: `urn:li:sponsoredAccount:${account}`,
          sourcePlatform: 'DMPSYNC',
          createWaitMs: 0,
          rateLimits: { usersPerMinute: 100_000, companiesPerMinute: 100_000, windowMs: 60_000 },
          retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
          segments: SEGMENTS.map((s) => ({ sourceSegmentId: s, name: s, route: s })),
        },
      },
      state: { type: 'sqlite', path: './state.db', rowCache },
      guardrails: { minSegmentSize: 0, maxRemoveShare: 1 },
    }),
  );
  return file;
}

/** What must not depend on the cache: row accounting and every segment's counts. */
function comparable(r: RunReport) {
  return {
    status: r.status,
    rows: r.rows,
    segments: r.segments.map((s) => ({
      key: s.key,
      staged: s.staged,
      duplicates: s.duplicates,
      planned: s.planned,
      sent: s.sent,
      acknowledged: s.acknowledged,
      rejected: s.rejected,
      checkpointAfter: s.checkpointAfter,
    })),
    rejectedSamples: r.rejectedSamples,
  };
}

describe('the row cache changes no result', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0 });
  });
  afterAll(async () => emu.close());

  const members = (account: string) =>
    SEGMENTS.map((key) => {
      const seg = emu
        .segments()
        .find((s) => s.sourceSegmentId === key && s.account === `urn:li:sponsoredAccount:${account}`);
      return seg ? emu.members(seg.id) : [];
    });

  function setup(account: string, rowCache: boolean): Side & { dir: string } {
    const dir = tempDir('dmpsync-rowcache-');
    return { dir, account, file: pipelineFile(dir, emu.restUrl, account, rowCache) };
  }

  const run = async (side: Side, rows: Row[], dryRun = false) => {
    writeFileSync(join(side.file, '..', 'audience.csv'), csvOf(rows));
    const report = await runPipeline({ pipeline: loadPipeline(side.file, builtinRegistry), dryRun });
    expect(report.rows.balanced).toBe(true);
    return report;
  };

  for (const seed of [1, 2]) {
    it(`seed ${seed}: six runs of churn give identical reports and memberships`, async () => {
      const rand = mulberry32(seed);
      let id = 0;
      const nextId = () => ++id + 100_000;
      let rows = Array.from({ length: 3000 }, () => person(++id, rand));
      const cached = setup(`${seed}1`, true);
      const plain = setup(`${seed}2`, false);
      let hits = 0;
      for (let round = 0; round < 6; round++) {
        if (round > 0) rows = churn(rows, rand, nextId);
        const a = await run(cached, rows);
        const b = await run(plain, rows);
        expect(comparable(a), `round ${round}`).toEqual(comparable(b));
        expect(members(cached.account)).toEqual(members(plain.account));
        expect(b.rowCache).toBeNull();
        expect(a.rowCache!.used).toBe(round > 0);
        // The run left a cache for the next: every row without a note, reject or duplicate member.
        expect(a.rowCache!.recorded).toBeGreaterThan(rows.length * 0.8);
        hits += a.rowCache!.hits;
        if (round > 0) expect(a.rowCache!.hits).toBeGreaterThan(rows.length * 0.8);
      }
      expect(hits).toBeGreaterThan(0);
    });
  }

  it('two shards, each with its own cache, end with the members an unsharded run without cache sends', async () => {
    const rand = mulberry32(5);
    let id = 0;
    const nextId = () => ++id + 100_000;
    let rows = Array.from({ length: 1500 }, () => person(++id, rand));
    const sharded = setup('51', true);
    const plain = setup('52', false);
    // Shard 0 owns trial, shard 1 customer and vip (a stable hash of the segment key).
    const shards = [
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ];
    for (let round = 0; round < 4; round++) {
      if (round > 0) rows = churn(rows, rand, nextId);
      writeFileSync(join(sharded.dir, 'audience.csv'), csvOf(rows));
      const parts: RunReport[] = [];
      for (const shard of shards)
        parts.push(await runPipeline({ pipeline: loadPipeline(sharded.file, builtinRegistry), shard }));
      const whole = await run(plain, rows);
      const bySegment = (reports: RunReport[]) =>
        comparable({ ...whole, segments: reports.flatMap((r) => r.segments) }).segments.sort((a, b) =>
          a.key.localeCompare(b.key),
        );
      expect(bySegment(parts), `round ${round}`).toEqual(bySegment([whole]));
      expect(members(sharded.account)).toEqual(members(plain.account));
      for (const r of parts) {
        expect(r.rows.balanced).toBe(true);
        expect(r.rowCache!.used).toBe(round > 0);
        if (round > 0) expect(r.rowCache!.hits).toBeGreaterThan(rows.length * 0.8);
      }
    }
    // One cache file per shard.
    expect(readdirSync(sharded.dir).filter((f) => f.includes('.rowcache-'))).toHaveLength(2);
  });

  it('is not used after the transforms change, or after the checkpoint moved without it', async () => {
    const rand = mulberry32(7);
    const rows = Array.from({ length: 500 }, (_, i) => person(i + 1, rand));
    const side = setup('71', true);
    await run(side, rows);
    expect((await run(side, rows)).rowCache).toMatchObject({ used: true, hits: 500 });

    // Another title column: every payload changes, and the cache must not answer for it.
    const other = rows.map((r) => ({ ...r, title: `${r.title} (v2)` }));
    writeFileSync(join(side.dir, 'audience.csv'), csvOf(other));
    const csv = YAML.parse(readFileSync(side.file, 'utf8'));
    csv.transforms[1].config.fields.title = 'first_name';
    writeFileSync(side.file, YAML.stringify(csv));
    const changed = await runPipeline({ pipeline: loadPipeline(side.file, builtinRegistry) });
    expect(changed.rowCache).toMatchObject({ used: false, unused: 'config changed' });
    expect(changed.segments.reduce((a, s) => a + s.planned.change, 0)).toBeGreaterThan(0);

    // The checkpoint is written by someone else (here: a reset of one segment).
    const store = new SqliteStore(join(side.dir, 'state.db'));
    await store.resetSegment('vip');
    await store.close();
    const reset = await runPipeline({ pipeline: loadPipeline(side.file, builtinRegistry) });
    expect(reset.rowCache).toMatchObject({ used: false, unused: 'checkpoint changed since' });
    expect(reset.segments.find((s) => s.key === 'vip')!.planned.add).toBeGreaterThan(0);
    const again = await runPipeline({ pipeline: loadPipeline(side.file, builtinRegistry) });
    expect(again.rowCache).toMatchObject({ used: true, hits: 500 });
    expect(again.totals.sent).toBe(0);
  });

  it('a dry run reads the cache and leaves it as it was; a failed run leaves none behind', async () => {
    const rand = mulberry32(9);
    const rows = Array.from({ length: 300 }, (_, i) => person(i + 1, rand));
    const side = setup('91', true);
    await run(side, rows);
    const cacheFile = () => readdirSync(side.dir).find((f) => f.includes('.rowcache-'))!;
    const before = statSync(join(side.dir, cacheFile())).mtimeMs;
    const dry = await run(side, rows.slice(10), true);
    expect(dry.rowCache).toMatchObject({ used: true, hits: 290, recorded: 0 });
    expect(dry.segments.reduce((a, s) => a + s.planned.remove, 0)).toBeGreaterThan(0);
    expect(statSync(join(side.dir, cacheFile())).mtimeMs).toBe(before);

    // Every membership write fails: the run fails; no part file stays.
    emu.setFaults({ error5xx: { rate: 1 } });
    try {
      const failed = await run(side, rows.slice(20));
      expect(failed.status).toBe('failed');
      expect(failed.rowCache!.recorded).toBe(0);
    } finally {
      emu.setFaults({});
    }
    expect(readdirSync(side.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    // A killed run's part file is removed by the next run of the pipeline.
    const killed = join(side.dir, `${cacheFile()}.20260101T000000-abcdef.part`);
    writeFileSync(killed, 'partial');
    // The next run first replays the failed run's journal: the checkpoint moves, the cache is stale.
    const next = await run(side, rows.slice(20));
    expect(next.status).toBe('succeeded');
    expect(next.rowCache).toMatchObject({ used: false, unused: 'checkpoint changed since' });
    expect(next.segments.reduce((a, s) => a + s.replayed.remove, 0)).toBeGreaterThan(0);
    expect((await run(side, rows.slice(20))).rowCache).toMatchObject({ used: true, hits: 280 });
    expect(readdirSync(side.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
