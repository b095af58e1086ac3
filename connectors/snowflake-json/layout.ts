/** Which layout the files have, and for SQL API results, the column names from `rowType`. */
import { ConfigError } from '../../core/errors.js';
import { PLUGIN, type SnowflakeJsonConfig } from './config.js';
import { detectCompression, type ExportFile, openDecompressed, unreadable } from './files.js';
import { peekText, readDocument } from './parse.js';

export type Format = Exclude<SnowflakeJsonConfig['format'], 'auto'>;

export async function detectFormat(file: ExportFile, config: SnowflakeJsonConfig): Promise<Format> {
  if (config.format !== 'auto') return config.format;
  const compression = await detectCompression(file, config.compression);
  let head: string;
  try {
    head = (await peekText(openDecompressed(file, compression))).trimStart();
  } catch (err) {
    throw unreadable(file, compression, err);
  }
  if (head.startsWith('[')) return 'json-array';
  if (/^\{\s*"data"\s*:/.test(head) || head.includes('"resultSetMetaData"')) return 'sqlapi';
  return 'ndjson';
}

export interface SqlApiLayout {
  columns: string[];
  /** The file holding resultSetMetaData (partition 0) first, the partition-only bodies after. */
  files: ExportFile[];
}

/** Finds the one ResultSet with `resultSetMetaData.rowType`; partitions ≥ 1 carry only `data`. */
export async function sqlApiLayout(files: ExportFile[], config: SnowflakeJsonConfig): Promise<SqlApiLayout> {
  for (const file of files) {
    const doc = await loadSqlApiDocument(file, config);
    const rowType = (doc as { resultSetMetaData?: { rowType?: unknown } }).resultSetMetaData?.rowType;
    if (rowType === undefined) continue;
    if (!Array.isArray(rowType) || rowType.some((c) => typeof (c as { name?: unknown })?.name !== 'string')) {
      throw new ConfigError(`${file.name}: resultSetMetaData.rowType is not a list of named columns`, {
        plugin: PLUGIN,
      });
    }
    return {
      columns: rowType.map((c) => (c as { name: string }).name),
      files: [file, ...files.filter((f) => f !== file)],
    };
  }
  throw new ConfigError('no file holds the SQL API resultSetMetaData (the first response of the statement)', {
    keyPath: 'path',
    plugin: PLUGIN,
    fix: 'save the POST /api/v2/statements response body next to the ?partition=N bodies',
  });
}

export async function loadSqlApiDocument(file: ExportFile, config: SnowflakeJsonConfig): Promise<unknown> {
  const compression = await detectCompression(file, config.compression);
  let doc: unknown;
  try {
    doc = await readDocument(openDecompressed(file, compression));
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new ConfigError(`${file.name}: not a valid SQL API v2 JSON body`, { plugin: PLUGIN });
    }
    throw unreadable(file, compression, err);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { data?: unknown }).data)) {
    throw new ConfigError(`${file.name}: a SQL API v2 body must be an object with a "data" array`, {
      plugin: PLUGIN,
    });
  }
  return doc;
}
