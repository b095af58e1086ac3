/**
 * The CSV source's `read`: files in sorted order, rows as records, broken rows as `malformed`
 * items, and a resumable state `{ file, row }` (the last data row handled in `file`; files that
 * sort before it are done). `done: true` marks a finished file so a resume skips it unopened.
 */
import { z } from 'zod';
import { ConfigError, InterruptedError } from '../../core/errors.js';
import type { PluginContext, ReadOptions, SourceItem } from '../../core/plugin.js';
import { compileRecordBuilder } from '../../core/record-builder.js';
import { flattenBatches, readFileRows } from '../../core/source-batches.js';
import type { CsvConfig } from './config.js';
import { type CsvFile, resolveFiles } from './files.js';
import type { CsvEvent } from './parser.js';
import { CsvFileReader, type CsvReadOptions } from './reader.js';

export const CsvState = z.object({
  file: z.string(),
  row: z.number().int().min(0),
  done: z.boolean().optional(),
});
export type CsvState = z.infer<typeof CsvState>;

export function readOptionsOf(config: CsvConfig): CsvReadOptions {
  return {
    dialect: { delimiter: config.delimiter, quote: config.quote, escape: config.escape ?? config.quote },
    encoding: config.encoding,
    header: config.header,
    ...(config.columns ? { columns: config.columns } : {}),
  };
}

/** The CSV source's items in batches (one per chunk read); `read` is derived from it. */
export async function* readCsvBatches(
  config: CsvConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem[]> {
  const stream = config.stream;
  if (options.streams && !options.streams.includes(stream)) return;
  const start = parseState(options.state?.[stream], stream);
  const files = (await resolveFiles(config.path, ctx.baseDir)).filter(
    (file) => !start || file.name > start.file || (file.name === start.file && !start.done),
  );
  const readOptions = readOptionsOf(config);
  let expected: string[] | undefined;
  let toData: (fields: string[]) => Record<string, unknown> = () => ({});
  yield* readFileRows<CsvFile, CsvEvent>({
    stream,
    files,
    start,
    stateEvery: config.stateEvery,
    signal: ctx.signal,
    interrupted,
    async *events(file) {
      const reader = await CsvFileReader.open(file, readOptions);
      try {
        expected ??= reader.columns;
        checkSameColumns(file, reader.columns, expected);
      } catch (err) {
        reader.close();
        throw err;
      }
      toData = recordBuilder(reader.columns);
      ctx.logger.debug({ file: file.name }, 'csv: reading file');
      yield* reader.batches();
    },
    emit(event, row, file, out) {
      if (event.kind === 'record') {
        out.push({ type: 'record', stream, data: toData(event.fields), row, file: file.name });
      } else {
        out.push({ type: 'malformed', stream, row, line: event.line, file: file.name, reason: event.reason });
      }
    },
  });
}

export function readCsv(
  config: CsvConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem> {
  return flattenBatches(readCsvBatches(config, ctx, options));
}

/** fields -> `{ column: field }`, compiled once per file (core/record-builder.ts). */
export function recordBuilder(columns: string[]): (fields: string[]) => Record<string, unknown> {
  const width = columns.length;
  const loop = (fields: string[]) => {
    const data: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) data[columns[i] as string] = fields[i];
    return data;
  };
  return compileRecordBuilder(
    columns,
    (keys) => `return function (f) { return { ${keys.map((k, i) => `${k}: f[${i}]`).join(', ')} }; };`,
    {},
    loop,
  );
}

function parseState(raw: Record<string, unknown> | undefined, stream: string): CsvState | undefined {
  // `{}` (or a reset, null, mapped to `{}` by the runner) means: start from the beginning.
  if (raw === undefined || raw === null || Object.keys(raw).length === 0) return undefined;
  const parsed = CsvState.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`the saved state for stream ${stream} is not a CSV source state ({ file, row })`, {
      plugin: 'csv',
      fix: 'pass the state a csv read emitted, or start without state',
    });
  }
  return parsed.data;
}

/** Files of one stream must share their columns (order may differ: each file maps its own header). */
export function checkSameColumns(file: CsvFile, columns: string[], expected: string[]): void {
  const have = new Set(columns);
  const missing = expected.filter((c) => !have.has(c));
  const want = new Set(expected);
  const extra = columns.filter((c) => !want.has(c));
  if (missing.length === 0 && extra.length === 0) return;
  const parts = [
    missing.length ? `missing ${missing.map((c) => `"${c}"`).join(', ')}` : '',
    extra.length ? `unexpected ${extra.map((c) => `"${c}"`).join(', ')}` : '',
  ].filter(Boolean);
  throw new ConfigError(`its columns differ from the first file's: ${parts.join('; ')}`, {
    file: file.name,
    plugin: 'csv',
    fix: 'every file matched by the glob must have the same columns',
  });
}

function interrupted(): InterruptedError {
  return new InterruptedError('read interrupted', { plugin: 'csv' });
}
