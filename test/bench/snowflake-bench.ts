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
import { silentLogger } from '../../core/log.js';
import type { Rejection, SourceItem } from '../../core/plugin.js';
import { sourceBatches } from '../../core/source-batches.js';
import { normalizeEmail } from '../../transforms/email.js';
import { hashEmail } from '../../transforms/hash.js';
import { type BuiltMember, buildUserMember } from '../../transforms/user.js';

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
  const config = SnowflakeJsonConfig.parse({ path: file });
  const ctx = {
    logger: silentLogger(),
    signal: new AbortController().signal,
    baseDir: dirname(file),
    now: Date.now,
  };
  return sourceBatches(snowflakeJsonSource, config, ctx, {});
}

async function sourceHash(file: string): Promise<number> {
  let rows = 0;
  for await (const batch of items(file)) {
    for (const item of batch) {
      if (item.type !== 'record') continue;
      rows++;
      const email = normalizeEmail(String(item.data.EMAIL ?? ''));
      if (email) sink += hashEmail(email, 'sha256').length;
    }
  }
  return rows;
}

async function source(file: string): Promise<number> {
  let rows = 0;
  const options = { hash: 'sha256', overlong: 'truncate' } as const;
  for await (const batch of items(file)) {
    for (const item of batch) {
      if (item.type !== 'record') continue;
      rows++;
      // A key OBJECT_CONSTRUCT omitted is null; buildUserMember takes undefined for "absent".
      const d = item.data as Record<string, string | null>;
      const v = (k: string) => d[k] ?? undefined;
      const built: BuiltMember | Rejection = buildUserMember(
        {
          email: v('EMAIL'),
          firstName: v('FIRST_NAME'),
          lastName: v('LAST_NAME'),
          title: v('TITLE'),
          company: v('COMPANY'),
          country: v('COUNTRY'),
        },
        options,
      );
      if (!('rejected' in built)) sink += built.member.key.length;
    }
  }
  return rows;
}

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
          ? await sourceHash(file)
          : await source(file);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    JSON.stringify({
      mode,
      rows,
      seconds: Number(seconds.toFixed(3)),
      rowsPerSec: Math.round(rows / seconds),
      peakRssMb,
    }),
  );
  if (sink < 0) console.error(sink);
}

await main();
