/** The CSV source: local files (or a glob of them), plain or gzip, streamed row by row. */

import { defineSource } from '../../core/plugin.js';
import { singleStreamCatalog } from '../../core/protocol/builders.js';
import type { AirbyteCatalog } from '../../core/protocol/models.js';
import { CsvConfig } from './config.js';
import { resolveFiles } from './files.js';
import { checkSameColumns, readCsv, readCsvBatches, readOptionsOf } from './read.js';
import { CsvFileReader } from './reader.js';

export { CsvConfig } from './config.js';

/** Opens every file, reads its header and checks they agree; returns the first file's columns. */
async function headerColumns(config: CsvConfig, baseDir: string): Promise<string[]> {
  const files = await resolveFiles(config.path, baseDir);
  const options = readOptionsOf(config);
  let first: string[] | undefined;
  for (const file of files) {
    const reader = await CsvFileReader.open(file, options);
    reader.close();
    first ??= reader.columns;
    checkSameColumns(file, reader.columns, first);
  }
  return first ?? [];
}

export const csvSource = defineSource({
  name: 'csv',
  version: '1.0.0',
  description:
    'Reads rows from CSV files (a path or a glob; .gz decompressed), with resumable state per file and row.',
  config: CsvConfig,

  async check(config, ctx) {
    await headerColumns(config, ctx.baseDir);
  },

  async discover(config, ctx): Promise<AirbyteCatalog> {
    const columns = await headerColumns(config, ctx.baseDir);
    const properties = Object.fromEntries(columns.map((c) => [c, { type: 'string' }]));
    return singleStreamCatalog(config.stream, properties);
  },

  read(config, ctx, options) {
    return readCsv(config, ctx, options);
  },

  readBatches(config, ctx, options) {
    return readCsvBatches(config, ctx, options);
  },
});
