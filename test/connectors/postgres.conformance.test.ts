import { afterAll } from 'vitest';
import { postgresSource } from '../../connectors/postgres/index.js';
import { describeSourceConformance } from '../conformance/source-suite.js';
import { startTestPostgres, uniqueName, withClient } from '../support/postgres.js';
import { describeBatchConformance } from './batch-suite.js';

const pg = await startTestPostgres();
afterAll(() => pg.close());

/** A fresh schema with an audience table of 10 rows; `updated` repeats values so ties are exercised. */
async function audienceTable(): Promise<string> {
  const schema = uniqueName('conf');
  await withClient(pg.url, async (c) => {
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(
      `CREATE TABLE ${schema}.audience (id int PRIMARY KEY, email text, segment text, updated timestamptz NOT NULL)`,
    );
    await c.query(
      `INSERT INTO ${schema}.audience SELECT i, 'user' || i || '@example.com', CASE WHEN i % 2 = 0 THEN 'a' ELSE NULL END,
         timestamptz '2026-01-01 00:00:00.123456+00' + ((i / 3) || ' minutes')::interval FROM generate_series(1, 10) i`,
    );
  });
  return schema;
}

/** The audience table read by its `updated` cursor (ties included), a STATE every 2 rows. */
const cursorTable = async (batchSize: number) => ({
  url: pg.url,
  table: `${await audienceTable()}.audience`,
  cursorColumn: 'updated',
  stateEvery: 2,
  batchSize,
});

describeSourceConformance('postgres (table, cursor column with ties)', {
  definition: postgresSource,
  validConfig: () => cursorTable(3),
  expectedRecords: 10,
  invalidConfigs: [
    {
      name: 'missing table',
      config: async () => ({ url: pg.url, table: `${await audienceTable()}.nope` }),
      message: 'the table does not exist',
    },
    {
      name: 'missing cursor column',
      config: async () => ({ url: pg.url, table: `${await audienceTable()}.audience`, cursorColumn: 'nope' }),
      message: 'cursorColumn nope is not a column',
    },
    {
      name: 'server not listening',
      config: () => ({ url: 'postgres://u@127.0.0.1:1/db', table: 'x', connectTimeoutMs: 2000 }),
      message: 'cannot connect to 127.0.0.1:1/db',
    },
    {
      name: 'password env not set',
      config: () => ({ url: pg.url, table: 'x', passwordEnv: 'DMPSYNC_TEST_UNSET_PASSWORD' }),
      message: 'environment variable DMPSYNC_TEST_UNSET_PASSWORD is not set',
    },
  ],
});

describeSourceConformance('postgres (query with ORDER BY, offset resume)', {
  definition: postgresSource,
  validConfig: async () => ({
    url: pg.url,
    query: `SELECT email, segment FROM ${await audienceTable()}.audience ORDER BY id;`,
    stateEvery: 3,
    batchSize: 4,
  }),
  expectedRecords: 10,
  invalidConfigs: [
    {
      name: 'SQL syntax error',
      config: () => ({ url: pg.url, query: 'SELEC 1' }),
      message: 'SQL syntax error',
    },
  ],
});

// readBatches: the same items as read, and resumable from a state inside a batch (batchSize > stateEvery).
describeBatchConformance('postgres (table, cursor column with ties)', {
  definition: postgresSource,
  validConfig: () => cursorTable(5),
});

describeBatchConformance('postgres (query, offset resume)', {
  definition: postgresSource,
  validConfig: async () => ({
    url: pg.url,
    query: `SELECT email, segment FROM ${await audienceTable()}.audience ORDER BY id`,
    stateEvery: 2,
    batchSize: 4,
  }),
});
