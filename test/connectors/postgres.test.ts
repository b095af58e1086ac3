import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSource } from '../../connectors/postgres/index.js';
import { ConfigError, TransientError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { ReadOptions, SourceItem } from '../../core/plugin.js';
import { startTestPostgres, type TestPostgres, uniqueName, withClient } from '../support/postgres.js';

let pg: TestPostgres;
let schema: string;
let dir: string;
beforeAll(async () => {
  pg = await startTestPostgres();
  schema = uniqueName('pgsrc');
  dir = await mkdtemp(join(tmpdir(), 'dmpsync-pg-'));
  await withClient(pg.url, async (c) => {
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(
      `CREATE TABLE ${schema}."Audience" (id bigint PRIMARY KEY, email text, score numeric, seen timestamptz)`,
    );
    await c.query(
      `INSERT INTO ${schema}."Audience" SELECT i, 'u' || i || '@example.com', i / 4.0, timestamptz '2026-01-01 00:00:00.000001+00'
         FROM generate_series(1, 12000) i`,
    );
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await pg.close();
});

const ctx = () => ({
  logger: silentLogger(),
  signal: new AbortController().signal,
  baseDir: dir,
  now: () => 0,
});

async function read(config: Record<string, unknown>, options: ReadOptions = {}) {
  const parsed = postgresSource.config.parse(config);
  const items: SourceItem[] = [];
  for await (const item of postgresSource.read(parsed, ctx(), options)) items.push(item);
  return items;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );
}

describe('postgres source', () => {
  it('streams a schema-qualified mixed-case table in batches, every value as text', async () => {
    const items = await read({ url: pg.url, table: `${schema}.Audience`, batchSize: 1000 });
    const records = items.filter((i) => i.type === 'record');
    expect(records).toHaveLength(12000);
    expect(records[1]?.data).toEqual({
      id: '2',
      email: 'u2@example.com',
      score: '0.50000000000000000000',
      seen: expect.any(String),
    });
    expect(items.at(-1)).toEqual({ type: 'state', stream: 'audience', state: { row: 12000 } });
  });

  it('discover lists the columns and their SQL types', async () => {
    const parsed = postgresSource.config.parse({ url: pg.url, table: `${schema}.Audience` });
    const catalog = await postgresSource.discover(parsed, ctx());
    const props = catalog.streams[0]?.json_schema.properties as Record<string, { description: string }>;
    expect(Object.keys(props)).toEqual(['id', 'email', 'score', 'seen']);
    expect(props.id?.description).toBe('PostgreSQL type int8');
    expect(props.seen?.description).toBe('PostgreSQL type timestamptz');
  });

  it('an incremental read resumes after the saved cursor value only', async () => {
    const first = await read({
      url: pg.url,
      table: `${schema}.Audience`,
      cursorColumn: 'id',
      stateEvery: 5000,
    });
    const states = first.filter((i) => i.type === 'state');
    expect(states.at(-1)).toMatchObject({ state: { row: 12000, cursor: '12000' } });
    const resumed = await read(
      { url: pg.url, table: `${schema}.Audience`, cursorColumn: 'id' },
      { state: { audience: { row: 10000, cursor: '10000' } } },
    );
    const recs = resumed.filter((i) => i.type === 'record');
    expect(recs).toHaveLength(2000);
    expect(recs[0]).toMatchObject({ row: 10001, data: { id: '10001' } });
  });

  it('reads the password from a file and from an environment variable', async () => {
    await writeFile(join(dir, 'pw'), 'whatever\n');
    // Trust auth ignores the password: this proves the settings are accepted and used to connect.
    await expect(
      postgresSource.check(
        postgresSource.config.parse({ url: pg.url, table: `${schema}.Audience`, passwordFile: 'pw' }),
        ctx(),
      ),
    ).resolves.toBeUndefined();
    const missing = await failure(
      postgresSource.check(
        postgresSource.config.parse({ url: pg.url, table: 'x', passwordFile: 'nope' }),
        ctx(),
      ),
    );
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toContain('cannot read the password file nope');
  });

  it('rejects a config with both table and query', () => {
    expect(postgresSource.config.safeParse({ table: 'a', query: 'select 1' }).success).toBe(false);
  });

  it('a statement timeout is a clear TransientError', async () => {
    const err = await failure(
      read({ url: pg.url, query: 'SELECT pg_sleep(3) AS x', statementTimeoutMs: 300 }),
    );
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/\[postgres\] .*(timed out or was cancelled|no answer within 300 ms)/);
  });

  it('a lost connection mid-read is a clear TransientError, not a hang', async () => {
    const proxy = await startProxy(pg.url);
    try {
      const url = pg.url.replace(/@[^/]+\//, `@127.0.0.1:${proxy.port}/`);
      const parsed = postgresSource.config.parse({ url, table: `${schema}.Audience`, batchSize: 100 });
      const it = postgresSource.read(parsed, ctx(), {})[Symbol.asyncIterator]();
      await it.next();
      proxy.cutAll();
      let err: unknown;
      try {
        for (let r = await it.next(); !r.done; r = await it.next()) {}
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TransientError);
      expect((err as Error).message).toMatch(/\[postgres\] 127\.0\.0\.1:\d+\/\w+: lost the connection/);
    } finally {
      await proxy.close();
    }
  });
});

/** A TCP relay to the test server whose connections can be cut, like a network failure. */
async function startProxy(target: string) {
  const u = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(u.port || 5432), u.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as { port: number }).port,
    cutAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
