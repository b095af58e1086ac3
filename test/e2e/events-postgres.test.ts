/**
 * Events mode from a PostgreSQL events table with a cursor column, state in the PostgreSQL store:
 * each run reads only the events after the last complete run's cursor, and applies them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { startTestPostgres, type TestPostgres, uniqueName, withClient } from '../support/postgres.js';
import { emailHashes, emailOf, parseReport, runCli, sha256, tempDir } from './helpers.js';

let pgdb: TestPostgres;
let emu: Emulator;
let pipeline: string;
const table = uniqueName('events');
const schema = uniqueName('state');

const hashes = (ids: number[]) => ids.map((id) => sha256(emailOf(id))).sort();
const members = () => {
  const seg = emu.segments().find((s) => s.sourceSegmentId === 'pg-events')!;
  return emailHashes(emu.members(seg.id));
};
const insert = (rows: [number, string][]) =>
  withClient(pgdb.url, async (c) => {
    for (const [id, action] of rows)
      await c.query(`INSERT INTO ${table} (email, action) VALUES ($1, $2)`, [emailOf(id), action]);
  });
const sync = async () => {
  const r = await runCli(['sync', '--config', pipeline, '--json']);
  const report = parseReport(r);
  expect(r.code, r.stderr).toBe(0);
  expect(report.rows.balanced).toBe(true);
  return report;
};

beforeAll(async () => {
  pgdb = await startTestPostgres();
  emu = await startEmulator({ segmentReadyDelayMs: 0 });
  await withClient(pgdb.url, (c) =>
    c.query(
      `CREATE TABLE ${table} (event_id bigserial PRIMARY KEY, email text NOT NULL, action text NOT NULL)`,
    ),
  );
  const dir = tempDir('dmpsync-pg-events-');
  pipeline = join(dir, 'pipeline.yaml');
  writeFileSync(
    pipeline,
    YAML.stringify({
      name: 'pg-events',
      mode: 'events',
      source: { type: 'postgres', config: { url: pgdb.url, table, cursorColumn: 'event_id' } },
      transforms: [{ type: 'linkedin-user', config: { fields: { email: 'email' } } }],
      destination: {
        type: 'linkedin-dmp',
        config: {
          baseUrl: emu.restUrl,
          auth: { accessToken: 'pg-events' },
          adAccount: 'urn:li:sponsoredAccount:777',
          sourcePlatform: 'DMPSYNC',
          createWaitMs: 0,
          segments: [{ sourceSegmentId: 'pg-events', name: 'PG events' }],
        },
      },
      state: { type: 'postgres', url: pgdb.url, schema },
      guardrails: { minSegmentSize: 0, maxRemoveShare: 1 },
    }),
  );
}, 120_000);

afterAll(async () => {
  await withClient(pgdb.url, async (c) => {
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }).catch(() => {});
  await emu?.close();
  await pgdb?.close();
});

describe('events mode from PostgreSQL with a cursor column', () => {
  it('reads only the events after the saved cursor, run after run', async () => {
    await insert([
      [1, 'ADD'],
      [2, 'ADD'],
      [3, 'ADD'],
    ]);
    expect((await sync()).rows.read).toBe(3);
    expect(members()).toEqual(hashes([1, 2, 3]));

    await insert([
      [2, 'REMOVE'],
      [4, 'ADD'],
    ]);
    const second = await sync();
    expect(second.rows.read).toBe(2);
    expect(members()).toEqual(hashes([1, 3, 4]));

    const third = await sync();
    expect(third.rows.read).toBe(0);
    expect(third.totals.sent).toBe(0);
  });
});
