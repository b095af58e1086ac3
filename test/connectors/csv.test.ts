import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CsvConfig } from '../../connectors/csv/config.js';
import { csvSource } from '../../connectors/csv/index.js';
import { InterruptedError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { ReadOptions, SourceItem } from '../../core/plugin.js';
import { AirbyteCatalog } from '../../core/protocol/models.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/csv/', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dmpsync-csv-'));
  await cp(FIXTURES, dir, { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctx(signal = new AbortController().signal) {
  return { logger: silentLogger(), signal, baseDir: dir, now: () => 0 };
}

async function read(config: z.input<typeof CsvConfig>, options: ReadOptions = {}): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of csvSource.read(CsvConfig.parse(config), ctx(), options)) items.push(item);
  return items;
}

const records = (items: SourceItem[]) => items.filter((i) => i.type === 'record');
const states = (items: SourceItem[]) => items.filter((i) => i.type === 'state').map((i) => i.state);

describe('csv source: reading', () => {
  it('maps the header to each row, with quoted commas, doubled quotes and embedded newlines', async () => {
    const items = await read({ path: 'audience.csv' });
    const rows = records(items);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({
      type: 'record',
      stream: 'audience',
      row: 1,
      file: 'audience.csv',
      data: {
        email: 'ana.garcia@example.com',
        first_name: 'Ana',
        last_name: 'García',
        company: 'Acme, Inc.',
        segment: 'high_value',
      },
    });
    expect(rows[1]?.data.email).toBe('  JOSE.MULLER@Example.com '); // whitespace is the transforms' job
    expect(rows[3]?.data.company).toBe('The "Quoted" Labs');
    expect(rows[4]?.data.company).toBe('Two-line\nCompany');
    expect(rows[6]?.data.company).toBe('');
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(items.at(-1)).toEqual({
      type: 'state',
      stream: 'audience',
      state: { file: 'audience.csv', row: 10, done: true },
    });
  });

  it('strips a UTF-8 BOM and handles CRLF, also inside quotes and on a last line without newline', async () => {
    const bytes = await readFile(join(dir, 'bom-crlf.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the fixture really has them
    expect(bytes.includes('\r\n')).toBe(true);
    const rows = records(await read({ path: 'bom-crlf.csv' }));
    expect(rows.map((r) => r.data)).toEqual([
      { email: 'ana@example.com', name: 'Ana' },
      { email: 'bo@example.com', name: 'Bo, Jr.' },
      { email: 'multi@example.com', name: 'line one\r\nline two' },
      { email: 'last@example.com', name: 'Last' },
    ]);
  });

  it('honours delimiter, quote and escape options', async () => {
    const rows = records(await read({ path: 'semicolon.csv', delimiter: ';', quote: "'" }));
    expect(rows.map((r) => r.data)).toEqual([
      { email: 'ana@example.com', company: 'Acme; Inc.', note: "it's fine" },
      { email: 'bo@example.com', company: 'Globex', note: 'plain' },
    ]);
    await writeFile(join(dir, 'escaped.tsv'), 'email\tquote\nx@example.com\t"say \\"hi\\""\n');
    const tsv = records(await read({ path: 'escaped.tsv', delimiter: '\t', escape: '\\' }));
    expect(tsv[0]?.data).toEqual({ email: 'x@example.com', quote: 'say "hi"' });
  });

  it('reads latin1 (Windows-1252) files when told to', async () => {
    const rows = records(await read({ path: 'latin1.csv', encoding: 'latin1' }));
    expect(rows[1]?.data.name).toBe('Renée');
  });

  it('reads files without a header, with given or generated column names', async () => {
    const named = records(await read({ path: 'noheader.csv', header: false, columns: ['email', 'name'] }));
    expect(named.map((r) => r.data)).toEqual([
      { email: 'ana@example.com', name: 'Ana' },
      { email: 'bo@example.com', name: 'Bo' },
    ]);
    const generated = records(await read({ path: 'noheader.csv', header: false }));
    expect(generated[0]?.data).toEqual({ column_1: 'ana@example.com', column_2: 'Ana' });
    expect(generated[0]?.row).toBe(1);
  });

  it('decompresses .gz files by extension', async () => {
    await writeFile(join(dir, 'audience.csv.gz'), gzipSync(await readFile(join(dir, 'audience.csv'))));
    const plain = records(await read({ path: 'audience.csv' }));
    const gz = records(await read({ path: 'audience.csv.gz' }));
    expect(gz.map((r) => r.data)).toEqual(plain.map((r) => r.data));
    expect(gz[0]?.file).toBe('audience.csv.gz');
  });

  it('reads every file of a glob in sorted order, mapping each by its own header', async () => {
    const items = await read({ path: 'parts/*.csv', stateEvery: 100 });
    expect(records(items).map((r) => [r.file, r.row, r.data.email, r.data.segment])).toEqual([
      ['parts/part-1.csv', 1, 'p1a@example.com', 'a'],
      ['parts/part-1.csv', 2, 'p1b@example.com', 'b'],
      ['parts/part-1.csv', 3, 'p1c@example.com', 'c'],
      ['parts/part-2.csv', 1, 'p2a@example.com', 'b'],
      ['parts/part-2.csv', 2, 'p2b@example.com', 'c'],
      ['parts/part-3.csv', 1, 'p3a@example.com', 'a'],
      ['parts/part-3.csv', 2, 'p3b@example.com', 'b'],
      ['parts/part-3.csv', 3, 'p3c@example.com', 'c'],
      ['parts/part-3.csv', 4, 'p3d@example.com', 'a'],
    ]);
    expect(states(items)).toEqual([
      { file: 'parts/part-1.csv', row: 3, done: true },
      { file: 'parts/part-2.csv', row: 2, done: true },
      { file: 'parts/part-3.csv', row: 4, done: true },
    ]);
  });

  it('reports malformed lines with their line numbers, and later rows still arrive', async () => {
    const items = await read({ path: 'malformed.csv' });
    expect(
      items
        .filter((i) => i.type !== 'state')
        .map((i) =>
          i.type === 'record'
            ? ['ok', i.row, i.data.email]
            : [i.type, i.row, i.type === 'malformed' ? [i.line, i.reason, i.file] : null],
        ),
    ).toEqual([
      ['ok', 1, 'ok1@example.com'],
      ['malformed', 2, [3, 'expected 3 fields, found 2', 'malformed.csv']],
      ['ok', 3, 'ok2@example.com'],
      ['malformed', 4, [5, 'unexpected text after a closing quote', 'malformed.csv']],
      ['ok', 5, 'ok3@example.com'],
      ['malformed', 6, [7, 'unexpected text after a closing quote', 'malformed.csv']],
      ['ok', 7, 'ok4@example.com'],
      ['malformed', 8, [9, 'expected 3 fields, found 4', 'malformed.csv']],
      ['ok', 9, 'ok5@example.com'],
    ]);
  });

  it('an unbalanced quote in a large file costs one row, with the right line number', async () => {
    const lines = ['email,n'];
    for (let i = 1; i <= 40_000; i++) lines.push(i === 7 ? '"open@example.com,7' : `u${i}@example.com,${i}`);
    await writeFile(join(dir, 'big-open-quote.csv'), `${lines.join('\n')}\n`);
    const items = await read({ path: 'big-open-quote.csv', stateEvery: 100_000 });
    const bad = items.filter((i) => i.type === 'malformed');
    expect(bad).toEqual([
      {
        type: 'malformed',
        stream: 'audience',
        row: 7,
        line: 8,
        file: 'big-open-quote.csv',
        reason: 'unterminated quoted field',
      },
    ]);
    const ok = records(items);
    expect(ok).toHaveLength(39_999);
    expect(ok.at(-1)?.data).toEqual({ email: 'u40000@example.com', n: '40000' });
  });

  it('emits a state every `stateEvery` rows and at the end of each file, never twice in a row', async () => {
    const items = await read({ path: 'audience.csv', stateEvery: 3 });
    expect(items.map((i) => (i.type === 'state' ? i.state : i.row))).toEqual([
      1,
      2,
      3,
      { file: 'audience.csv', row: 3 },
      4,
      5,
      6,
      { file: 'audience.csv', row: 6 },
      7,
      8,
      9,
      { file: 'audience.csv', row: 9 },
      10,
      { file: 'audience.csv', row: 10, done: true },
    ]);
    // 9 rows, every 3: the end-of-file state replaces the one due after row 9.
    const nine = (await readFile(join(dir, 'audience.csv'), 'utf8')).split('\n').slice(0, 11).join('\n');
    await writeFile(join(dir, 'nine.csv'), `${nine}\n`);
    expect(states(await read({ path: 'nine.csv', stateEvery: 3 }))).toEqual([
      { file: 'nine.csv', row: 3 },
      { file: 'nine.csv', row: 6 },
      { file: 'nine.csv', row: 9, done: true },
    ]);
  });

  it('an empty data file (header only) still ends with a state', async () => {
    expect(await read({ path: 'header-only.csv' })).toEqual([
      { type: 'state', stream: 'audience', state: { file: 'header-only.csv', row: 0, done: true } },
    ]);
  });
});

describe('csv source: resuming from state', () => {
  it('resumes after the last completed row of a file', async () => {
    const items = await read(
      { path: 'audience.csv', stateEvery: 4 },
      { state: { audience: { file: 'audience.csv', row: 4 } } },
    );
    expect(records(items).map((r) => r.row)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(states(items)).toEqual([
      { file: 'audience.csv', row: 8 },
      { file: 'audience.csv', row: 10, done: true },
    ]);
  });

  it('in a glob, skips the files before the state file and rows up to its row', async () => {
    const mid = await read(
      { path: 'parts/*.csv' },
      { state: { audience: { file: 'parts/part-2.csv', row: 1 } } },
    );
    expect(records(mid).map((r) => `${r.file}#${r.row}`)).toEqual([
      'parts/part-2.csv#2',
      'parts/part-3.csv#1',
      'parts/part-3.csv#2',
      'parts/part-3.csv#3',
      'parts/part-3.csv#4',
    ]);
    const afterDone = await read(
      { path: 'parts/*.csv' },
      { state: { audience: { file: 'parts/part-2.csv', row: 2, done: true } } },
    );
    expect(records(afterDone).map((r) => r.file)).toEqual(Array(4).fill('parts/part-3.csv'));
  });

  it('resuming from the final state reads nothing and repeats that state', async () => {
    const final = { file: 'parts/part-3.csv', row: 4, done: true };
    expect(await read({ path: 'parts/*.csv' }, { state: { audience: final } })).toEqual([
      { type: 'state', stream: 'audience', state: final },
    ]);
  });

  it('an empty state object means start from the beginning', async () => {
    expect(records(await read({ path: 'audience.csv' }, { state: { audience: {} } }))).toHaveLength(10);
  });

  it('reads nothing when its stream is not selected', async () => {
    expect(await read({ path: 'audience.csv' }, { streams: ['other'] })).toEqual([]);
    expect(
      records(await read({ path: 'audience.csv', stream: 'other' }, { streams: ['other'] })),
    ).toHaveLength(10);
  });
});

describe('csv source: check, discover, interruption', () => {
  it('check reads the headers; discover lists the columns as strings', async () => {
    const config = CsvConfig.parse({ path: 'parts/*.csv', stream: 'leads' });
    await expect(csvSource.check(config, ctx())).resolves.toBeUndefined();
    const catalog = AirbyteCatalog.parse(await csvSource.discover(config, ctx()));
    expect(catalog.streams).toHaveLength(1);
    expect(catalog.streams[0]).toMatchObject({
      name: 'leads',
      supported_sync_modes: ['full_refresh', 'incremental'],
      json_schema: { type: 'object', properties: { email: { type: 'string' }, segment: { type: 'string' } } },
    });
  });

  it('stops with InterruptedError once the signal is aborted', async () => {
    const abort = new AbortController();
    const seen: SourceItem[] = [];
    const run = async () => {
      for await (const item of csvSource.read(
        CsvConfig.parse({ path: 'parts/*.csv' }),
        ctx(abort.signal),
        {},
      )) {
        seen.push(item);
        abort.abort();
      }
    };
    await expect(run()).rejects.toBeInstanceOf(InterruptedError);
    expect(seen.length).toBeLessThan(10);
  });

  it('stopping early (break) closes the file without error', async () => {
    for await (const item of csvSource.read(CsvConfig.parse({ path: 'audience.csv' }), ctx(), {})) {
      expect(item.type).toBe('record');
      break;
    }
  });
});
