/**
 * The PostgreSQL source's `read`: a server-side cursor read `batchSize` rows at a time (1000 by
 * default: docs/connectors/postgres.md), never the whole result in memory. State: `{ row }`, plus
 * `{ cursor }` (the cursor column's last value, as text) when cursorColumn is set. States are only
 * emitted between two different cursor values, so resuming with `>` neither skips nor repeats rows.
 */
import type pg from 'pg';
import Cursor from 'pg-cursor';
import { z } from 'zod';
import { ConfigError, InterruptedError, TransientError } from '../../core/errors.js';
import type { PluginContext, ReadOptions, SourceItem } from '../../core/plugin.js';
import { flattenBatches } from '../../core/source-batches.js';
import { PLUGIN, type PostgresConfig } from './config.js';
import { clientConfig, connect, describeServer, mapPgError } from './connect.js';
import { CURSOR_ALIAS, readSql } from './sql.js';

export const PostgresState = z.object({ row: z.number().int().min(0), cursor: z.string().optional() });
type PostgresState = z.infer<typeof PostgresState>;

/** The source's items in batches (one per cursor read); `read` is derived from it. */
export async function* readPostgresBatches(
  config: PostgresConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem[]> {
  const stream = config.stream;
  if (options.streams && !options.streams.includes(stream)) return;
  const start = parseState(options.state?.[stream], stream, config);
  const server = describeServer(await clientConfig(config, ctx.baseDir));
  const client = await connect(config, ctx.baseDir);
  // Remembered so the cleanup does not wait on a dead socket.
  let lostError: unknown;
  client.once('error', (err) => {
    lostError ??= err;
  });
  client.once('end', () => {
    lostError ??= new Error('Connection terminated unexpectedly');
  });
  const sql = readSql(config, start);
  const cursor = client.query(new Cursor<Record<string, unknown>>(sql.text, sql.values));
  let row = start?.row ?? 0;
  let last: PostgresState = start ? { ...start } : { row: 0 };
  let lastEmitted: PostgresState | undefined;
  let sinceState = 0;
  let stateDue = false;
  const every = config.stateEvery;
  const byCursor = config.cursorColumn !== undefined;
  try {
    for (;;) {
      if (ctx.signal.aborted) throw new InterruptedError('read interrupted', { plugin: PLUGIN });
      const rows = await readBatch(cursor, client, config, server);
      if (rows.length === 0) break;
      const out: SourceItem[] = new Array(rows.length);
      let k = 0;
      for (const r of rows) {
        let value: string | undefined;
        if (byCursor) {
          value = r[CURSOR_ALIAS] as string | undefined;
          delete r[CURSOR_ALIAS];
          if (value === null || value === undefined) throw nullCursor(config);
        }
        // With a cursor column, a due state waits for the next value: rows sharing one stay together.
        if (stateDue && (!byCursor || value !== last.cursor)) {
          stateDue = false;
          lastEmitted = last;
          out[k++] = { type: 'state', stream, state: { ...last } };
        }
        row++;
        out[k++] = { type: 'record', stream, data: r, row };
        last = byCursor ? { row, cursor: value as string } : { row };
        if (++sinceState >= every) {
          sinceState = 0;
          stateDue = true;
        }
      }
      out.length = k;
      yield out;
    }
    if (!lastEmitted || lastEmitted.row !== last.row) yield [{ type: 'state', stream, state: { ...last } }];
  } finally {
    // Bounded: after a timeout or a dropped socket, neither may ever answer.
    if (lostError === undefined) await bounded(cursor.close());
    await bounded(client.end());
  }
}

export function readPostgres(
  config: PostgresConfig,
  ctx: PluginContext,
  options: ReadOptions,
): AsyncGenerator<SourceItem> {
  return flattenBatches(readPostgresBatches(config, ctx, options));
}

function bounded(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([p.catch(() => {}), new Promise((ok) => setTimeout(ok, 1000).unref())]);
}

/** One batch, bounded in time: a silent network drop must fail the run, not hang it. */
async function readBatch(
  cursor: Cursor<Record<string, unknown>>,
  client: pg.Client,
  config: PostgresConfig,
  server: string,
): Promise<Record<string, unknown>[]> {
  const limit = config.statementTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const read = cursor.read(config.batchSize);
  // pg does not always fail a cursor read when the socket dies between reads: watch the client too.
  // A fresh promise per batch, listeners removed after: racing one long-lived promise would make it
  // retain every batch it ever raced against (each race's result hangs off its reactions).
  let onLost: ((err?: unknown) => void) | undefined;
  const lost = new Promise<never>((_, reject) => {
    onLost = (err?: unknown) => reject(err ?? new Error('Connection terminated unexpectedly'));
    client.once('error', onLost);
    client.once('end', onLost);
  });
  const timeout =
    limit > 0
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            // Ends the socket so the pending read rejects too.
            (
              client as unknown as { connection?: { stream?: { destroy(): void } } }
            ).connection?.stream?.destroy();
            reject(
              new TransientError(`${server}: no answer within ${limit} ms; the connection counts as lost`, {
                plugin: PLUGIN,
              }),
            );
          }, limit + Math.min(limit, 5_000));
        })
      : undefined;
  try {
    return await Promise.race(timeout ? [read, lost, timeout] : [read, lost]);
  } catch (err) {
    if (err instanceof TransientError) throw err;
    throw mapPgError(err, server, 'query');
  } finally {
    clearTimeout(timer);
    if (onLost) {
      client.off('error', onLost);
      client.off('end', onLost);
    }
    read.catch(() => {});
    lost.catch(() => {});
  }
}

function nullCursor(config: PostgresConfig): ConfigError {
  return new ConfigError(
    `cursorColumn ${config.cursorColumn} is NULL in a row; a cursor column must never be NULL`,
    {
      keyPath: 'cursorColumn',
      plugin: PLUGIN,
      fix: 'pick a NOT NULL column, or filter NULLs out in query',
    },
  );
}

function parseState(
  raw: Record<string, unknown> | undefined,
  stream: string,
  config: PostgresConfig,
): PostgresState | undefined {
  if (raw === undefined || raw === null || Object.keys(raw).length === 0) return undefined;
  const parsed = PostgresState.safeParse(raw);
  if (!parsed.success || (config.cursorColumn !== undefined) !== (parsed.data.cursor !== undefined)) {
    throw new ConfigError(`the saved state for stream ${stream} does not match this postgres source`, {
      plugin: PLUGIN,
      fix: 'pass the state this source emitted (cursorColumn must not change between runs), or start without state',
    });
  }
  return parsed.data;
}
