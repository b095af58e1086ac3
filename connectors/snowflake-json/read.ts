/**
 * The Snowflake JSON source's `read`: files in order, one record per row object (NDJSON line,
 * array element or SQL API row), and a resumable state `{ file, row }` like the CSV source's.
 * Values come out as strings (numbers and booleans as their JSON text, nested values as JSON),
 * a key OBJECT_CONSTRUCT omitted (SQL NULL) as null, and keys as Snowflake wrote them (often
 * UPPERCASE): the transforms look columns up case-insensitively.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ConfigError, InterruptedError } from '../../core/errors.js';
import type { PluginContext, ReadOptions, SourceItem } from '../../core/plugin.js';
import { compileRecordBuilder } from '../../core/record-builder.js';
import { flattenBatches, readFileRows } from '../../core/source-batches.js';
import { PLUGIN, type SnowflakeJsonConfig } from './config.js';
import { detectCompression, type ExportFile, openDecompressed, resolveFiles, unreadable } from './files.js';
import { detectFormat, type Format, loadSqlApiDocument, sqlApiLayout } from './layout.js';
import { type JsonEvent, jsonArrayBatches, ndjsonBatches } from './parse.js';

export const SnowflakeState = z.object({
  file: z.string(),
  row: z.number().int().min(0),
  done: z.boolean().optional(),
});

export interface Plan {
  files: ExportFile[];
  format: Format;
  columns: string[];
}

/** Files, layout and columns: what check, discover and read all start from. */
export async function planRead(config: SnowflakeJsonConfig, baseDir: string): Promise<Plan> {
  const found = await resolveFiles(config.path, baseDir);
  const format = await detectFormat(found[0] as ExportFile, config);
  if (format === 'sqlapi') {
    const layout = await sqlApiLayout(found, config);
    return { format, files: layout.files, columns: config.columns ?? layout.columns };
  }
  if (config.columns) return { format, files: found, columns: config.columns };
  const keys = new Set<string>();
  let seen = 0;
  for await (const batch of fileEvents(found[0] as ExportFile, format, config)) {
    for (const e of batch) {
      if (e.kind === 'value' && isObject(e.value)) for (const k of Object.keys(e.value)) keys.add(k);
      if (++seen >= config.sampleRows) break;
    }
    if (seen >= config.sampleRows) break;
  }
  if (keys.size === 0) {
    throw new ConfigError(`${found[0]?.name}: no row object found to learn the columns from`, {
      plugin: PLUGIN,
      fix: 'check the export, or set `columns`',
    });
  }
  return { format, files: found, columns: [...keys].sort() };
}

/** The source's items in batches (one per chunk read); `read` is derived from it. */
export async function* readSnowflakeBatches(
  config: SnowflakeJsonConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem[]> {
  const stream = config.stream;
  if (options.streams && !options.streams.includes(stream)) return;
  const start = parseState(options.state?.[stream], stream);
  const plan = await planRead(config, ctx.baseDir);
  const { columns } = plan;
  let startIndex = 0;
  if (start) {
    startIndex = plan.files.findIndex((f) => f.name === start.file);
    if (startIndex === -1) {
      throw new ConfigError(`the saved state names ${start.file}, which is not among the files any more`, {
        plugin: PLUGIN,
        fix: 'read each unload into a fresh path and reset the state for a new export',
      });
    }
    if (start.done) startIndex++;
  }
  const toData = dataBuilder(columns);
  let warnedExtra = false;
  yield* readFileRows<ExportFile, JsonEvent>({
    stream,
    files: plan.files.slice(startIndex),
    start,
    stateEvery: config.stateEvery,
    signal: ctx.signal,
    interrupted: () => new InterruptedError('read interrupted', { plugin: PLUGIN }),
    events: (file) => fileEvents(file, plan.format, config, columns),
    emit(event, row, file, out) {
      if (event.kind === 'malformed') {
        out.push({ type: 'malformed', stream, row, line: event.line, file: file.name, reason: event.reason });
        return;
      }
      const value = event.value;
      if (!isObject(value)) {
        out.push({
          type: 'malformed',
          stream,
          row,
          line: event.line,
          file: file.name,
          reason: 'not a JSON object',
        });
        return;
      }
      const data = toData(value);
      if (data === undefined) {
        // A key outside the columns: kept (the transforms may map it), warned about once.
        if (!warnedExtra) {
          warnedExtra = true;
          ctx.logger.warn({ file: file.name, row }, 'snowflake-json: a row has a key not in the columns');
        }
        out.push({ type: 'record', stream, data: withExtraKeys(columns, value), row, file: file.name });
        return;
      }
      out.push({ type: 'record', stream, data, row, file: file.name });
    },
  });
}

export function readSnowflake(
  config: SnowflakeJsonConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem> {
  return flattenBatches(readSnowflakeBatches(config, ctx, options));
}

/**
 * value -> `{ column: field(value[column]) }` for every column (absent -> null), compiled once
 * (core/record-builder.ts: no `Object.entries` per row). Returns undefined when the value has a key
 * outside the columns (`withExtraKeys` handles that rare row).
 */
function dataBuilder(
  columns: string[],
): (value: Record<string, unknown>) => Record<string, unknown> | undefined {
  const fallback = (value: Record<string, unknown>) => {
    const known = new Set(columns);
    for (const k of Object.keys(value)) if (!known.has(k)) return undefined;
    return withExtraKeys(columns, value);
  };
  return compileRecordBuilder(
    columns,
    (keys) => {
      // Names an object inherits (`toString`...) must be looked up as own keys; JSON values are never undefined.
      const own = (i: number) =>
        (columns[i] as string) in Object.prototype
          ? `HAS.call(v, ${keys[i]})`
          : `v[${keys[i]}] !== undefined`;
      // Own keys of the value that are columns; more keys than that means an extra one.
      const present = keys.map((_, i) => `(${own(i)} ? 1 : 0)`).join(' + ');
      const body = keys.map((k, i) => `${k}: ${own(i)} ? field(v[${k}]) : null`).join(', ');
      return `return function (v) {
        let n = 0;
        for (const _ in v) n++;
        if (n !== ${present || 0}) return undefined;
        return { ${body} };
      };`;
    },
    { field, HAS: Object.prototype.hasOwnProperty },
    fallback,
  );
}

/** Every column (null when absent), then the value's own keys, each as `field` makes it. */
function withExtraKeys(columns: string[], value: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const c of columns) data[c] = null;
  for (const [k, v] of Object.entries(value)) data[k] = field(v);
  return data;
}

/** Batches of parsed rows of one file; SQL API rows (arrays of strings) become objects by `columns`. */
async function* fileEvents(
  file: ExportFile,
  format: Format,
  config: SnowflakeJsonConfig,
  columns: string[] = [],
): AsyncGenerator<JsonEvent[]> {
  if (format === 'sqlapi') {
    const doc = (await loadSqlApiDocument(file, config)) as { data: unknown[] };
    yield doc.data.map((r, i): JsonEvent => {
      if (!Array.isArray(r) || r.length !== columns.length) {
        return { kind: 'malformed', line: i + 1, reason: `expected an array of ${columns.length} values` };
      }
      return { kind: 'value', value: Object.fromEntries(columns.map((c, j) => [c, r[j]])), line: i + 1 };
    });
    return;
  }
  const compression = await detectCompression(file, config.compression);
  let input: Readable;
  try {
    input = openDecompressed(file, compression);
  } catch (err) {
    throw unreadable(file, compression, err);
  }
  const batches = format === 'ndjson' ? ndjsonBatches(input) : jsonArrayBatches(input);
  try {
    for (;;) {
      let next: IteratorResult<JsonEvent[]>;
      try {
        next = await batches.next();
      } catch (err) {
        if (err instanceof SyntaxError) {
          throw new ConfigError(`${file.name}: ${err.message}`, {
            plugin: PLUGIN,
            fix: 'set format: ndjson',
          });
        }
        throw unreadable(file, compression, err);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    input.destroy();
  }
}

/** Strings as-is; scalars as their JSON text; nested values as JSON; null stays null. */
function field(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseState(raw: Record<string, unknown> | undefined, stream: string) {
  if (raw === undefined || raw === null || Object.keys(raw).length === 0) return undefined;
  const parsed = SnowflakeState.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`the saved state for stream ${stream} is not a ${PLUGIN} state ({ file, row })`, {
      plugin: PLUGIN,
      fix: 'pass the state a snowflake-json read emitted, or start without state',
    });
  }
  return parsed.data;
}
