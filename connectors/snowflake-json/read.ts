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

export async function* readSnowflake(
  config: SnowflakeJsonConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem> {
  const stream = config.stream;
  if (options.streams && !options.streams.includes(stream)) return;
  const start = parseState(options.state?.[stream], stream);
  const plan = await planRead(config, ctx.baseDir);
  const { columns } = plan;
  const known = new Set(columns);
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
  let warnedExtra = false;
  for (let f = startIndex; f < plan.files.length; f++) {
    const file = plan.files[f] as ExportFile;
    const skip = start && f === startIndex && !start.done ? start.row : 0;
    let row = 0;
    let sinceState = 0;
    let stateDue = false;
    for await (const batch of fileEvents(file, plan.format, config, columns)) {
      if (ctx.signal.aborted) throw new InterruptedError('read interrupted', { plugin: PLUGIN });
      for (const event of batch) {
        row++;
        if (row <= skip) continue;
        if (stateDue) {
          stateDue = false;
          yield { type: 'state', stream, state: { file: file.name, row: row - 1 } };
        }
        if (event.kind === 'malformed') {
          yield { type: 'malformed', stream, row, line: event.line, file: file.name, reason: event.reason };
        } else if (!isObject(event.value)) {
          yield {
            type: 'malformed',
            stream,
            row,
            line: event.line,
            file: file.name,
            reason: 'not a JSON object',
          };
        } else {
          const data: Record<string, unknown> = {};
          for (const c of columns) data[c] = null;
          for (const [k, v] of Object.entries(event.value)) {
            if (!known.has(k) && !warnedExtra) {
              warnedExtra = true;
              ctx.logger.warn({ file: file.name, row }, 'snowflake-json: a row has a key not in the columns');
            }
            data[k] = field(v);
          }
          yield { type: 'record', stream, data, row, file: file.name };
        }
        if (++sinceState >= config.stateEvery) {
          sinceState = 0;
          stateDue = true;
        }
      }
    }
    yield { type: 'state', stream, state: { file: file.name, row: Math.max(row, skip), done: true } };
  }
  if (start && startIndex >= plan.files.length) yield { type: 'state', stream, state: { ...start } };
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
