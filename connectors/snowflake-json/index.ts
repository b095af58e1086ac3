/** The Snowflake JSON export source: COPY INTO unload files, JSON arrays and SQL API v2 result sets. */
import { defineSource } from '../../core/plugin.js';
import { singleStreamCatalog } from '../../core/protocol/builders.js';
import type { AirbyteCatalog } from '../../core/protocol/models.js';
import { SnowflakeJsonConfig } from './config.js';
import { planRead, readSnowflake, readSnowflakeBatches } from './read.js';

export { SnowflakeJsonConfig } from './config.js';

export const snowflakeJsonSource = defineSource({
  name: 'snowflake-json',
  version: '1.0.0',
  description:
    'Reads Snowflake JSON exports: COPY INTO NDJSON part files (gzip by default), JSON arrays and SQL API v2 result sets, streamed with resumable state.',
  config: SnowflakeJsonConfig,

  async check(config, ctx) {
    await planRead(config, ctx.baseDir);
  },

  async discover(config, ctx): Promise<AirbyteCatalog> {
    const { columns } = await planRead(config, ctx.baseDir);
    const properties = Object.fromEntries(columns.map((c) => [c, { type: ['string', 'null'] }]));
    return singleStreamCatalog(config.stream, properties);
  },

  read(config, ctx, options) {
    return readSnowflake(config, ctx, options);
  },

  readBatches(config, ctx, options) {
    return readSnowflakeBatches(config, ctx, options);
  },
});
