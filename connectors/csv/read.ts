/**
 * The CSV source's `read`: files in sorted order, rows as records, broken rows as `malformed`
 * items, and a resumable state `{ file, row }` (the last data row handled in `file`; files that
 * sort before it are done). `done: true` marks a finished file so a resume skips it unopened.
 */
import { z } from 'zod';
import { ConfigError, InterruptedError } from '../../core/errors.js';
import type { PluginContext, ReadOptions, SourceItem } from '../../core/plugin.js';
import type { CsvConfig } from './config.js';
import { type CsvFile, resolveFiles } from './files.js';
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

export async function* readCsv(
  config: CsvConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem> {
  const stream = config.stream;
  if (options.streams && !options.streams.includes(stream)) return;
  const start = parseState(options.state?.[stream], stream);
  const files = await resolveFiles(config.path, ctx.baseDir);
  const readOptions = readOptionsOf(config);
  let expected: string[] | undefined;
  let opened = 0;

  for (const file of files) {
    let skip = 0;
    if (start) {
      if (file.name < start.file || (file.name === start.file && start.done)) continue;
      if (file.name === start.file) skip = start.row;
    }
    if (ctx.signal.aborted) throw interrupted();
    const reader = await CsvFileReader.open(file, readOptions);
    opened++;
    expected ??= reader.columns;
    checkSameColumns(file, reader.columns, expected);
    ctx.logger.debug({ file: file.name, skip }, 'csv: reading file');

    const columns = reader.columns;
    const width = columns.length;
    const every = config.stateEvery;
    let row = 0;
    let sinceState = 0;
    // A due state is held until the next row arrives, so the end-of-file state never repeats it.
    let stateDue = false;
    for await (const batch of reader.batches()) {
      if (ctx.signal.aborted) throw interrupted();
      for (const event of batch) {
        row++;
        if (row <= skip) continue;
        if (stateDue) {
          stateDue = false;
          yield { type: 'state', stream, state: { file: file.name, row: row - 1 } };
        }
        if (event.kind === 'record') {
          const fields = event.fields;
          const data: Record<string, unknown> = {};
          for (let i = 0; i < width; i++) data[columns[i] as string] = fields[i];
          yield { type: 'record', stream, data, row, file: file.name };
        } else {
          yield { type: 'malformed', stream, row, line: event.line, file: file.name, reason: event.reason };
        }
        if (++sinceState >= every) {
          sinceState = 0;
          stateDue = true;
        }
      }
    }
    yield { type: 'state', stream, state: { file: file.name, row: Math.max(row, skip), done: true } };
  }
  // Nothing left to read: repeat the given state so every read ends with one.
  if (opened === 0 && start) yield { type: 'state', stream, state: { ...start } };
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
