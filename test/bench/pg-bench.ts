/**
 * PostgreSQL source benchmarks against the server named by DATABASE_URL (or PG*), one mode per
 * process so peak RSS is per mode:
 *
 *   tsx test/bench/pg-bench.ts load <table> <audience.csv[.gz]>   (fills the table; not a measurement)
 *   tsx test/bench/pg-bench.ts <raw|source> <table>
 *   tsx test/bench/pg-bench.ts drop <table>                         (cleanup)
 *
 * Measurements print exactly one JSON line: {mode, rows, seconds, rowsPerSec, peakRssMb}.
 * Modes: raw (pg-cursor read(5000) + trim/lowercase + sha256 of the email: the baseline);
 * source+hash (the source through sourceBatches, as the runner reads it, + normalizeEmail +
 * sha256: like for like with raw); source+hash/batch1000 (the same with `batchSize: 1000`: see
 * docs/connectors/postgres.md on V8 pretenuring with 5000-row batches); source (the same + transforms/user.ts buildUserMember: the
 * full member of 6 fields, which raw does not build).
 */
import { hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { PostgresConfig } from '../../connectors/postgres/config.js';
import { postgresSource } from '../../connectors/postgres/index.js';
import type { SourceItem } from '../../core/plugin.js';
import { sourceBatches } from '../../core/source-batches.js';
import { AUDIENCE_COLUMNS } from './generate.js';
import { audienceInput, benchContext, builtMembers, hashedEmails, printResult } from './source-modes.js';

const URL = process.env.DATABASE_URL;
let sink = 0;

async function load(table: string, file: string): Promise<number> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (${AUDIENCE_COLUMNS.map((c) => `${c} text`).join(', ')})`);
  let raw = createReadStream(file) as NodeJS.ReadableStream;
  if (file.endsWith('.gz')) raw = raw.pipe(createGunzip());
  (raw as unknown as { setEncoding(e: string): void }).setEncoding('utf8');
  let batch: string[][] = [];
  let rows = 0;
  const flush = async () => {
    if (!batch.length) return;
    const cols = AUDIENCE_COLUMNS.map((_, i) => batch.map((r) => r[i] ?? ''));
    await client.query(
      `INSERT INTO ${table} SELECT * FROM unnest(${AUDIENCE_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ')})`,
      cols,
    );
    rows += batch.length;
    batch = [];
  };
  let header = true;
  await new Promise<void>((resolve, reject) => {
    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: true });
    raw.pipe(parser);
    parser.on('data', (row: string[]) => {
      if (header) {
        header = false;
        return;
      }
      batch.push(row);
      if (batch.length >= 20_000) {
        parser.pause();
        flush().then(() => parser.resume(), reject);
      }
    });
    parser.on('end', () => flush().then(resolve, reject));
    parser.on('error', reject);
  });
  await client.end();
  return rows;
}

async function drop(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.end();
  return 0;
}

async function raw(table: string): Promise<number> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  const cursor = client.query(
    new Cursor<{ email: string }>(`SELECT ${AUDIENCE_COLUMNS.join(', ')} FROM ${table}`),
  );
  let rows = 0;
  for (;;) {
    const batch = await cursor.read(5000);
    if (!batch.length) break;
    rows += batch.length;
    for (const r of batch) sink += hash('sha256', (r.email ?? '').trim().toLowerCase(), 'hex').length;
  }
  await cursor.close();
  await client.end();
  return rows;
}

/** The source read as the runner reads it: through sourceBatches (readBatches). */
function items(table: string, batchSize?: number): AsyncIterable<SourceItem[]> {
  const config = PostgresConfig.parse({ ...(URL ? { url: URL } : {}), table, batchSize });
  return sourceBatches(postgresSource, config, benchContext(process.cwd()), {});
}

const sourceHash = (table: string, batchSize?: number) =>
  hashedEmails(items(table, batchSize), (d: Record<string, unknown>) => d.email);

async function main(): Promise<void> {
  const [mode, table, file] = process.argv.slice(2);
  if (
    !table ||
    !/^[a-z_][a-z0-9_.]*$/.test(table) ||
    !['load', 'raw', 'source+hash', 'source+hash/batch1000', 'source', 'drop'].includes(mode ?? '')
  ) {
    console.error(
      'usage: tsx test/bench/pg-bench.ts <load <table> <csv>|raw <table>|source+hash <table>|source <table>|drop <table>>',
    );
    process.exit(2);
  }
  const started = performance.now();
  const modes: Record<string, () => Promise<number>> = {
    load: () => load(table, file ?? ''),
    raw: () => raw(table),
    'source+hash': () => sourceHash(table),
    'source+hash/batch1000': () => sourceHash(table, 1000),
    source: () => builtMembers(items(table), audienceInput),
    drop: () => drop(table),
  };
  const rows = await (modes[mode as string] as () => Promise<number>)();
  printResult(mode as string, rows, started);
  if (sink < 0) console.error(sink);
}

await main();
