/**
 * Snowflake JSON source benchmarks, one mode per process so peak RSS is per mode:
 *
 *   tsx test/bench/snowflake-bench.ts convert <audience.csv[.gz]> <out.json.gz>   (not a measurement)
 *   tsx test/bench/snowflake-bench.ts <raw|source> <file.json.gz>
 *
 * Measurements print exactly one JSON line: {mode, rows, seconds, rowsPerSec, peakRssMb}.
 * `convert` writes the CSV audience as OBJECT_CONSTRUCT(*) would: UPPERCASE keys, alphabetical,
 * empty values omitted, gzip. Modes: raw (gunzip + manual line split + JSON.parse + trim/lowercase +
 * sha256 of EMAIL: the baseline); source+hash (the source through sourceBatches, as the runner
 * reads it, + normalizeEmail + sha256 of EMAIL: like for like with raw); source (the same +
 * buildUserMember: the full member of 6 fields, which raw does not build).
 */
import { hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import Papa from 'papaparse';
import { SnowflakeJsonConfig } from '../../connectors/snowflake-json/config.js';
import { snowflakeJsonSource } from '../../connectors/snowflake-json/index.js';
import type { SourceItem } from '../../core/plugin.js';
import { sourceBatches } from '../../core/source-batches.js';
import { benchContext, builtMembers, hashedEmails, printResult } from './source-modes.js';

let sink = 0;

async function convert(csv: string, out: string): Promise<number> {
  let input = createReadStream(csv) as NodeJS.ReadableStream;
  if (csv.endsWith('.gz')) input = input.pipe(createGunzip());
  let rows = 0;
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: true, skipEmptyLines: true });
  async function* lines() {
    for await (const row of input.pipe(parser) as AsyncIterable<Record<string, string>>) {
      const o: Record<string, string> = {};
      for (const k of Object.keys(row).sort()) if (row[k] !== '') o[k.toUpperCase()] = row[k] as string;
      rows++;
      yield `${JSON.stringify(o)}\n`;
    }
  }
  await pipeline(lines, createGzip(), createWriteStream(out));
  return rows;
}

async function raw(file: string): Promise<number> {
  const input = createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(
    createGunzip({ chunkSize: 64 * 1024 }),
  );
  input.setEncoding('utf8');
  let rest = '';
  let rows = 0;
  const line = (text: string) => {
    if (!text) return;
    const o = JSON.parse(text) as { EMAIL?: string };
    rows++;
    sink += hash('sha256', (o.EMAIL ?? '').trim().toLowerCase(), 'hex').length;
  };
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      line(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  line(rest);
  return rows;
}

/** The source read as the runner reads it: through sourceBatches (readBatches). */
function items(file: string): AsyncIterable<SourceItem[]> {
  return sourceBatches(
    snowflakeJsonSource,
    SnowflakeJsonConfig.parse({ path: file }),
    benchContext(dirname(file)),
    {},
  );
}

/**
 * OBJECT_CONSTRUCT keys are upper case; a key it omitted is null, and buildUserMember takes
 * undefined for "absent".
 */
type SnowflakeRow = Record<string, string | null>;
const snowflakeInput = (d: SnowflakeRow) => ({
  email: d.EMAIL ?? undefined,
  firstName: d.FIRST_NAME ?? undefined,
  lastName: d.LAST_NAME ?? undefined,
  title: d.TITLE ?? undefined,
  company: d.COMPANY ?? undefined,
  country: d.COUNTRY ?? undefined,
});

async function main(): Promise<void> {
  const [mode, file, out] = process.argv.slice(2);
  if (!file || !['convert', 'raw', 'source+hash', 'source'].includes(mode ?? '')) {
    console.error(
      'usage: tsx test/bench/snowflake-bench.ts <convert <csv> <out.json.gz>|raw <file>|source+hash <file>|source <file>>',
    );
    process.exit(2);
  }
  const started = performance.now();
  const rows =
    mode === 'convert'
      ? await convert(file, out ?? '')
      : mode === 'raw'
        ? await raw(file)
        : mode === 'source+hash'
          ? await hashedEmails(items(file), (d: SnowflakeRow) => d.EMAIL)
          : await builtMembers(items(file), snowflakeInput);
  printResult(mode as string, rows, started);
  if (sink < 0) console.error(sink);
}

await main();
