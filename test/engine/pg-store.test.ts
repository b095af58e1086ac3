import { afterAll, expect, it } from 'vitest';
import { PgStore } from '../../core/engine/pg-store.js';
import { startTestPostgres, uniqueName } from '../support/postgres.js';
import { describeStore } from './store-suite.js';

const pg = await startTestPostgres();
afterAll(() => pg.close());

async function openPg(schema: string): Promise<PgStore> {
  const store = new PgStore({ url: pg.url, schema });
  await store.migrate();
  return store;
}

describeStore('PgStore', async () => {
  const schema = uniqueName('store');
  return { store: await openPg(schema), reopen: () => openPg(schema) };
});

it('PgStore: many workers migrate at once, and only one of them takes a segment lock', async () => {
  const schema = uniqueName('race');
  const stores = await Promise.all(Array.from({ length: 6 }, () => openPg(schema)));
  try {
    const results = await Promise.all(
      stores.map((s, i) => s.acquireLock('seg', { id: `w${i}`, host: 'h', pid: process.pid }, 60_000, 0)),
    );
    expect(results.filter((r) => r === null)).toHaveLength(1);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

it('PgStore: rejects a schema name that is not a plain identifier', () => {
  expect(() => new PgStore({ url: pg.url, schema: 'x; drop' })).toThrow(/lower-case SQL identifier/);
});
