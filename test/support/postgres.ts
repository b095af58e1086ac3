/**
 * A real PostgreSQL for tests: the server named by DATABASE_URL (or PGHOST & co.) when set, else an
 * embedded PGlite served over the wire protocol on 127.0.0.1 (port 0), so tests pass on a fresh
 * machine. Test files share a server: each must use its own names (`uniqueName`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestPostgres {
  url: string;
  /** 'server' (DATABASE_URL/PG*) or 'pglite'. */
  kind: 'server' | 'pglite';
  close(): Promise<void>;
}

export function urlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (!env.PGHOST && !env.PGDATABASE) return undefined;
  const user = encodeURIComponent(env.PGUSER ?? 'postgres');
  const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
  return `postgres://${user}${password}@${env.PGHOST ?? '127.0.0.1'}:${env.PGPORT ?? 5432}/${env.PGDATABASE ?? 'postgres'}`;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const url = urlFromEnv();
  if (url) return { url, kind: 'server', close: async () => {} };
  // Loaded only when needed: the WASM build takes seconds to load.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  // PGlite runs one query at a time; the server queues the connections' queries.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgres://postgres@${conn}/postgres?sslmode=disable`,
    kind: 'pglite',
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** A lower-case identifier no other test (file or process) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs statements on a short-lived connection (test setup). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
