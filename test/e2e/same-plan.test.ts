/**
 * One audience, three sources: a CSV file, a PostgreSQL table and Snowflake JSON unload files
 * (UPPERCASE keys, NULL keys omitted, gzip part files) must give the identical plan.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { startTestPostgres, type TestPostgres, uniqueName, withClient } from '../support/postgres.js';
import { type Person, parseReport, runCli, tempDir, writeAudience, writePipeline } from './helpers.js';

const people: Person[] = Array.from({ length: 300 }, (_, i) => ({
  id: i + 1,
  // Every 7th person has no title: an empty CSV field, a SQL NULL, an omitted Snowflake key.
  title: i % 7 === 0 ? '' : `Title ${i % 4}`,
  segments: i % 3 === 0 ? ['customer', 'trial'] : i % 3 === 1 ? ['customer'] : ['trial'],
}));

/** The rows exactly as writeAudience writes them (messy emails included). */
function rows(): {
  email: string;
  first_name: string;
  last_name: string;
  job_title: string;
  segments: string;
}[] {
  const dir = tempDir();
  writeAudience(join(dir, 'a.csv'), people);
  return people.map((p) => ({
    email: p.id % 5 === 0 ? `  PERSON${p.id}@Example.com ` : `person${p.id}@example.com`,
    first_name: `First${p.id}`,
    last_name: `Last${p.id}`,
    job_title: p.title ?? '',
    segments: p.segments.join(';'),
  }));
}

describe('the same audience from CSV, PostgreSQL and Snowflake gives the same plan', () => {
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

  // One state store for all three: after the CSV sync, a source with the same members and payloads plans nothing.
  const statePath = join(tempDir(), 'state.db');

  async function plan(
    source: Record<string, unknown> | undefined,
    setup: (dir: string) => void,
    command: 'plan' | 'sync' = 'plan',
  ) {
    const dir = tempDir();
    setup(dir);
    const pipeline = writePipeline(dir, {
      restUrl: emu.restUrl,
      csv: './audience.csv',
      extra: { ...(source ? { source } : {}), state: { type: 'sqlite', path: statePath } },
    });
    const r = await runCli([command, '--config', pipeline, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = parseReport(r);
    return report.segments
      .map((s) => ({ key: s.key, staged: s.staged, duplicates: s.duplicates, planned: s.planned }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  it('CSV, PostgreSQL and Snowflake NDJSON.gz', async () => {
    const data = rows();
    const csvSetup = (dir: string) => writeAudience(join(dir, 'audience.csv'), people);
    const first = await plan(undefined, csvSetup, 'sync');
    expect(first.map((s) => s.planned.add)).toEqual([200, 200]);
    const fromCsv = await plan(undefined, csvSetup);
    expect(fromCsv.map((s) => s.planned)).toEqual([
      { add: 0, remove: 0, change: 0, unchanged: 200, checkpointBefore: 200 },
      { add: 0, remove: 0, change: 0, unchanged: 200, checkpointBefore: 200 },
    ]);

    const schema = uniqueName('same_plan');
    await withClient(pg.url, async (c) => {
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(
        `CREATE TABLE ${schema}.audience (id serial, email text, first_name text, last_name text, job_title text, segments text)`,
      );
      await c.query(
        `INSERT INTO ${schema}.audience (email, first_name, last_name, job_title, segments)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
        [
          data.map((d) => d.email),
          data.map((d) => d.first_name),
          data.map((d) => d.last_name),
          data.map((d) => (d.job_title === '' ? null : d.job_title)),
          data.map((d) => d.segments),
        ],
      );
    });
    const fromPg = await plan(
      {
        type: 'postgres',
        config: {
          url: pg.url,
          query: `SELECT email, first_name, last_name, job_title, segments FROM ${schema}.audience ORDER BY id`,
        },
      },
      () => {},
    );

    const fromSnowflake = await plan({ type: 'snowflake-json', config: { path: './unload' } }, (dir) => {
      mkdirSync(join(dir, 'unload'));
      // OBJECT_CONSTRUCT(*): UPPERCASE keys, alphabetical, NULL values omitted; two part files.
      const lines = data.map((d) => {
        const o: Record<string, string> = {
          EMAIL: d.email,
          FIRST_NAME: d.first_name,
          LAST_NAME: d.last_name,
          SEGMENTS: d.segments,
        };
        if (d.job_title !== '') o.JOB_TITLE = d.job_title;
        return JSON.stringify(Object.fromEntries(Object.entries(o).sort()));
      });
      writeFileSync(join(dir, 'unload/data_0_0_0.json.gz'), gzipSync(`${lines.slice(0, 150).join('\n')}\n`));
      writeFileSync(join(dir, 'unload/data_0_1_0.json.gz'), gzipSync(`${lines.slice(150).join('\n')}\n`));
    });

    expect(fromPg).toEqual(fromCsv);
    expect(fromSnowflake).toEqual(fromCsv);
  });
});
