/** The PostgreSQL source: a table or a query, streamed through a server-side cursor. */
import { defineSource } from '../../core/plugin.js';
import { singleStreamCatalog } from '../../core/protocol/builders.js';
import type { AirbyteCatalog } from '../../core/protocol/models.js';
import { PLUGIN, PostgresConfig } from './config.js';
import { clientConfig, connect, describeServer, mapPgError } from './connect.js';
import { readPostgres, readPostgresBatches } from './read.js';
import { probeSql } from './sql.js';

export { PostgresConfig } from './config.js';

/** Column names and type names of the relation, by running it with LIMIT 0 (proves SELECT works). */
async function describeColumns(config: PostgresConfig, baseDir: string) {
  const server = describeServer(await clientConfig(config, baseDir));
  const client = await connect(config, baseDir);
  try {
    const result = await client.query(probeSql(config));
    const oids = [...new Set(result.fields.map((f) => f.dataTypeID))];
    const types = await client.query<{ oid: string; typname: string }>(
      'SELECT oid::text AS oid, typname FROM pg_type WHERE oid = ANY($1::oid[])',
      [oids],
    );
    const names = new Map(types.rows.map((t) => [Number(t.oid), t.typname]));
    const columns = result.fields.map((f) => ({
      name: f.name,
      type: names.get(f.dataTypeID) ?? String(f.dataTypeID),
    }));
    if (config.cursorColumn && !columns.some((c) => c.name === config.cursorColumn)) {
      throw mapPgError(
        { code: '42703', message: `cursorColumn ${config.cursorColumn} is not a column` },
        server,
        'query',
      );
    }
    return columns;
  } catch (err) {
    if (err instanceof Error && 'failureType' in err) throw err;
    throw mapPgError(err, server, 'query');
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresSource = defineSource({
  name: PLUGIN,
  version: '1.0.0',
  description:
    'Reads rows from a PostgreSQL table or query through a server-side cursor, with an optional cursor column for incremental, resumable reads.',
  config: PostgresConfig,

  async check(config, ctx) {
    await describeColumns(config, ctx.baseDir);
  },

  async discover(config, ctx): Promise<AirbyteCatalog> {
    const columns = await describeColumns(config, ctx.baseDir);
    // Values are read as the server's text, so every column is a string (or null); the SQL type is kept alongside.
    const properties = Object.fromEntries(
      columns.map((c) => [c.name, { type: ['string', 'null'], description: `PostgreSQL type ${c.type}` }]),
    );
    return singleStreamCatalog(config.stream, properties, {
      incremental: config.cursorColumn !== undefined,
      cursorField: config.cursorColumn ? [config.cursorColumn] : undefined,
    });
  },

  read(config, ctx, options) {
    return readPostgres(config, ctx, options);
  },

  readBatches(config, ctx, options) {
    return readPostgresBatches(config, ctx, options);
  },
});
