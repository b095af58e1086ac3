/**
 * CSV parsing benchmarks, one mode per process so peak RSS is per mode:
 *
 *   tsx test/bench/csv-bench.ts <mode> <file>
 *
 * prints exactly one JSON line on stdout: {mode, rows, seconds, rowsPerSec, peakRssMb}.
 * `.gz` files are gunzipped in every mode. test/bench/run.ts spawns this; keep the contract.
 *
 * Modes: papaparse-raw, fastcsv-raw, csvparse-raw (parse only); dmpsync-raw (our parser, parse
 * only); source-raw (the source through sourceBatches, records only counted: the source's own
 * cost); hash-raw (sha256 of the pre-split email column: hashing alone, lines read and split
 * before the clock starts); papaparse+hash and dmpsync+hash (a raw parser's arrays + trim/lowercase
 * + sha256 of the email column: the baseline is the faster of the two, which is our own parser);
 * source+hash (the source through sourceBatches, as the runner reads it, + normalizeEmail +
 * sha256: like for like with the baseline); source (the same + transforms/user.ts
 * buildUserMember: the full member of 6 fields).
 */

import { hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as csvParse } from 'csv-parse';
import { parse as fastCsvParse } from 'fast-csv';
import Papa from 'papaparse';
import { CsvConfig } from '../../connectors/csv/config.js';
import { csvSource } from '../../connectors/csv/index.js';
import { readOptionsOf } from '../../connectors/csv/read.js';
import { CsvFileReader } from '../../connectors/csv/reader.js';
import type { SourceItem } from '../../core/plugin.js';
import { sourceBatches } from '../../core/source-batches.js';
import { audienceInput, benchContext, builtMembers, hashedEmails, printResult } from './source-modes.js';

type Mode = (file: string) => Promise<number>;

function open(file: string): Readable {
  // 64 KiB reads in every mode, as the CSV source does (see connectors/csv/reader.ts).
  const raw = createReadStream(file, { highWaterMark: 64 * 1024 });
  return file.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: 64 * 1024 })) : raw;
}

/** Text stream (papaparse would split multi-byte characters at Buffer chunk boundaries). */
function openText(file: string): Readable {
  const s = open(file);
  s.setEncoding('utf8');
  return s;
}

function papaparse(file: string, onRow: (row: string[]) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = -1; // the header
    Papa.parse<string[]>(openText(file), {
      header: false,
      skipEmptyLines: true,
      chunk: (results) => {
        for (const row of results.data) {
          if (rows >= 0) onRow(row);
          rows++;
        }
      },
      complete: () => resolve(rows),
      error: (err: Error) => reject(err),
    });
  });
}

const sha256 = (email: string) => hash('sha256', email.trim().toLowerCase(), 'hex');
let sink = 0; // keeps results observable so the work is not optimised away

const modes: Record<string, Mode> = {
  'papaparse-raw': (file) => papaparse(file, () => {}),

  'papaparse+hash': (file) =>
    papaparse(file, (row) => {
      sink += sha256(row[0] ?? '').length;
    }),

  'fastcsv-raw': (file) =>
    new Promise((resolve, reject) => {
      let rows = -1;
      open(file)
        .pipe(fastCsvParse({ headers: false }))
        .on('data', () => rows++)
        .on('error', reject)
        .on('end', () => resolve(rows));
    }),

  'csvparse-raw': async (file) => {
    let rows = -1;
    for await (const _ of open(file).pipe(csvParse({ relax_column_count: true }))) rows++;
    return rows;
  },

  'dmpsync-raw': async (file) => {
    let rows = 0;
    for await (const batch of (await ourParser(file)).batches()) rows += batch.length;
    return rows;
  },

  // The fastest raw parser (ours, parse only: see dmpsync-raw vs papaparse-raw) + trim/lowercase + sha256.
  'dmpsync+hash': async (file) => {
    let rows = 0;
    for await (const batch of (await ourParser(file)).batches()) {
      for (const event of batch) {
        if (event.kind !== 'record') continue;
        rows++;
        sink += sha256(event.fields[0] ?? '').length;
      }
    }
    return rows;
  },

  'hash-raw': async (file) => {
    const emails: string[] = [];
    let pending = '';
    for await (const chunk of openText(file)) {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emails.push(line.slice(0, line.indexOf(',')));
    }
    if (pending) emails.push(pending.slice(0, pending.indexOf(',')));
    emails.shift(); // header
    started = performance.now(); // hashing alone: reading and splitting are not timed
    for (const e of emails) sink += hash('sha256', e, 'hex').length;
    return emails.length;
  },

  'source-raw': async (file) => {
    let rows = 0;
    for await (const batch of csvItems(file)) {
      for (const item of batch) if (item.type === 'record') rows++;
    }
    return rows;
  },

  // The like-for-like counterpart of the baseline: our source, our email normalizer, our hash.
  'source+hash': (file) => hashedEmails(csvItems(file), (d: Record<string, unknown>) => d.email),

  source: (file) => builtMembers(csvItems(file), audienceInput),
};

/** Our parser alone (no source: no records, no states), as the source configures it. */
function ourParser(file: string): Promise<CsvFileReader> {
  return CsvFileReader.open(
    { path: file, name: file, gzip: file.toLowerCase().endsWith('.gz') },
    readOptionsOf(CsvConfig.parse({ path: file })),
  );
}

/** The CSV source read as the runner reads it: through sourceBatches (readBatches). */
function csvItems(file: string): AsyncIterable<SourceItem[]> {
  return sourceBatches(csvSource, CsvConfig.parse({ path: file }), benchContext(dirname(file)), {});
}

/** Set when a mode starts; hash-raw moves it past its untimed reading. */
let started = 0;

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  const run = mode ? modes[mode] : undefined;
  if (!run || !file) {
    console.error(`usage: tsx test/bench/csv-bench.ts <${Object.keys(modes).join('|')}> <file>`);
    process.exit(2);
  }
  started = performance.now();
  const rows = await run(file);
  printResult(mode as string, rows, started);
  if (sink < 0) console.error(sink);
}

await main();
