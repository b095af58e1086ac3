/**
 * Many workers, one PostgreSQL state store: two `dmpsync sync` processes with --shard 0/2 and
 * --shard 1/2 run at the same time; together they leave every segment correct and never touch
 * the same segment.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ownedBy } from '../../core/runner/shard.js';
import { startTestPostgres, type TestPostgres, uniqueName, withClient } from '../support/postgres.js';
import {
  emailHashes,
  expectedHashes,
  type Person,
  parseReport,
  runCli,
  tempDir,
  writeAudience,
  writePipeline,
} from './helpers.js';

const KEYS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
const people: Person[] = Array.from({ length: 600 }, (_, i) => ({
  id: i + 1,
  segments: KEYS.filter((_, k) => (i + k) % 3 !== 0),
}));

describe('two sharded workers sharing the PostgreSQL state store', () => {
  let emu: Emulator;
  let pg: TestPostgres;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0 });
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await emu.close();
    await pg.close();
  });

  it('split the segments between them and leave each one correct', async () => {
    // Both shards must own something, or the test proves nothing about sharing.
    expect(KEYS.some((k) => ownedBy(k, { index: 0, count: 2 }))).toBe(true);
    expect(KEYS.some((k) => ownedBy(k, { index: 1, count: 2 }))).toBe(true);
    const dir = tempDir();
    writeAudience(join(dir, 'audience.csv'), people);
    const schema = uniqueName('shards');
    const pipeline = writePipeline(dir, {
      restUrl: emu.restUrl,
      csv: './audience.csv',
      segments: KEYS.map((k) => ({ sourceSegmentId: k, name: k, route: k })),
      extra: { state: { type: 'postgres', url: pg.url, schema } },
    });
    const workers = await Promise.all(
      ['0/2', '1/2'].map((shard) => runCli(['sync', '--config', pipeline, '--json', '--shard', shard])),
    );
    const reports = workers.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return parseReport(r);
    });
    const owned = reports.map((rep) => rep.segments.map((s) => s.key).sort());
    expect(owned[0]?.filter((k) => owned[1]?.includes(k))).toEqual([]);
    expect([...(owned[0] ?? []), ...(owned[1] ?? [])].sort()).toEqual([...KEYS].sort());
    owned.forEach((keys, i) => {
      expect(keys).toEqual(KEYS.filter((k) => ownedBy(k, { index: i, count: 2 })).sort());
    });

    for (const key of KEYS) {
      const seg = emu.segments().find((s) => s.sourceSegmentId === key);
      expect(seg, key).toBeDefined();
      expect(emailHashes(emu.members(seg?.id as string)), key).toEqual(expectedHashes(people, key));
    }
    await withClient(pg.url, async (c) => {
      const checkpoint = await c.query(
        `SELECT segment, COUNT(*)::int AS n FROM ${schema}.checkpoint GROUP BY segment`,
      );
      expect(checkpoint.rows.length).toBe(KEYS.length);
      const locks = await c.query(`SELECT COUNT(*)::int AS n FROM ${schema}.locks`);
      expect(locks.rows[0].n).toBe(0);
    });

    // A second round with nothing changed sends nothing.
    const again = await Promise.all(
      ['0/2', '1/2'].map((shard) => runCli(['sync', '--config', pipeline, '--json', '--shard', shard])),
    );
    for (const r of again) {
      expect(r.code, r.stderr).toBe(0);
      for (const s of parseReport(r).segments)
        expect(s.planned).toMatchObject({ add: 0, remove: 0, change: 0 });
    }
  });
});
