/** The Snowflake JSON export source's config schema: types, validation and the SPEC come from here. */
import { z } from 'zod';

export const SnowflakeJsonConfig = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe(
      'A file, a directory (every file in it, recursively) or a glob of files that Snowflake wrote (COPY INTO ... FILE_FORMAT=(TYPE=JSON) part files, a JSON array file, or SQL API v2 result set bodies), relative to the pipeline file. Read in sorted order.',
    ),
  format: z
    .enum(['auto', 'ndjson', 'json-array', 'sqlapi'])
    .default('auto')
    .describe(
      'How the files are laid out: ndjson (one object per line, what COPY INTO writes), json-array (one array of objects), sqlapi (SQL API v2 ResultSet / partition bodies, rows as arrays of strings named by resultSetMetaData.rowType). auto detects it from the first file.',
    ),
  compression: z
    .enum(['auto', 'gzip', 'deflate', 'raw_deflate', 'brotli', 'none'])
    .default('auto')
    .describe(
      'Compression of the files. auto: gzip by magic bytes (so a SINGLE=TRUE file named just "data" works), brotli/deflate/raw_deflate by extension (.br, .deflate, .raw_deflate), else none. BZ2 and ZSTD are not readable: unload with COMPRESSION=GZIP.',
    ),
  stream: z.string().min(1).default('audience').describe('Name of the stream the rows are emitted on.'),
  columns: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'Columns every record carries (a missing key, i.e. a SQL NULL that OBJECT_CONSTRUCT omitted, becomes null). Default: the keys seen in the first sampleRows rows.',
    ),
  sampleRows: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe('Rows read from the first file to discover the columns when `columns` is not set.'),
  stateEvery: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Rows between two resumable STATE checkpoints.'),
});

export type SnowflakeJsonConfig = z.output<typeof SnowflakeJsonConfig>;
export const PLUGIN = 'snowflake-json';
