import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CsvConfig } from '../../connectors/csv/config.js';
import { csvSource } from '../../connectors/csv/index.js';
import { ConfigError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { ReadOptions } from '../../core/plugin.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/csv/', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dmpsync-csv-errors-'));
  await cp(FIXTURES, dir, { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => ({
  logger: silentLogger(),
  signal: new AbortController().signal,
  baseDir: dir,
  now: () => 0,
});

/** The ConfigError `check` (or a full `read`) throws; fails the test if it succeeds. */
async function failure(
  config: z.input<typeof CsvConfig>,
  via: 'check' | 'read' = 'check',
  options: ReadOptions = {},
): Promise<ConfigError> {
  const parsed = CsvConfig.parse(config);
  try {
    if (via === 'check') await csvSource.check(parsed, ctx());
    else for await (const _ of csvSource.read(parsed, ctx(), options)) void _;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.message.startsWith('[csv] ')).toBe(true);
    expect(e.message).not.toMatch(/@example\.(com|org|net)/); // never a raw email
    return e;
  }
  throw new Error(`${via} succeeded`);
}

describe('csv source: bad input is a ConfigError naming the file', () => {
  it('missing file', async () => {
    const e = await failure({ path: 'nope.csv' });
    expect(e.keyPath).toBe('path');
    expect(e.message).toContain('file not found: nope.csv');
    expect(e.message).toContain(join(dir, 'nope.csv'));
  });

  it('glob matching nothing', async () => {
    const e = await failure({ path: 'exports/*.csv' });
    expect(e.message).toContain('no file matches exports/*.csv');
  });

  it('a directory', async () => {
    const e = await failure({ path: 'parts' });
    expect(e.message).toContain('parts is a directory');
    expect(e.fix).toContain('parts/*.csv');
  });

  it('a .gz file that is not gzip', async () => {
    await writeFile(join(dir, 'plain.csv.gz'), 'email\nx@example.com\n');
    const e = await failure({ path: 'plain.csv.gz' });
    expect(e.file).toBe('plain.csv.gz');
    expect(e.message).toMatch(/^\[csv\] plain\.csv\.gz: not a readable gzip file \(.+\)/);
  });

  it('a truncated gzip file, naming the line where the data stops', async () => {
    const lines = ['email,n', ...Array.from({ length: 5000 }, (_, i) => `row${i}@example.com,${i}`)];
    const gz = gzipSync(`${lines.join('\n')}\n`);
    await writeFile(join(dir, 'cut.csv.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    await csvSource.check(CsvConfig.parse({ path: 'cut.csv.gz' }), ctx()); // the header is intact
    const e = await failure({ path: 'cut.csv.gz' }, 'read');
    expect(e.message).toMatch(/cut\.csv\.gz: not a readable gzip file \(.+\): the data stops at line \d+/);
  });

  it('an empty file (no header row)', async () => {
    const e = await failure({ path: 'empty.csv' });
    expect(e.message).toBe('[csv] empty.csv: the file is empty: no header row (fix: check the export)');
    const noColumns = await failure({ path: 'empty.csv', header: false });
    expect(noColumns.message).toContain('cannot infer its columns');
  });

  it('a non-UTF-8 byte, naming the line and suggesting latin1', async () => {
    const e = await failure({ path: 'latin1.csv' }, 'read');
    expect(e.message).toBe(
      '[csv] latin1.csv: line 3: invalid UTF-8 byte 0xE9: the file is not UTF-8 ' +
        '(fix: set `encoding: latin1` if the file is Latin-1 / Windows-1252, or re-export it as UTF-8)',
    );
  });

  it('a non-UTF-8 byte deep in a large file gets its exact line (across chunk boundaries)', async () => {
    const lines = [
      'email,name',
      ...Array.from({ length: 30_000 }, (_, i) => `user${i}@example.com,Zoë ${i}`),
    ];
    const head = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const bytes = Buffer.concat([
      head,
      Buffer.from('late@example.com,Ren'),
      Buffer.from([0xe9]),
      Buffer.from('e\n'),
    ]);
    await writeFile(join(dir, 'late-bad-byte.csv'), bytes);
    await csvSource.check(CsvConfig.parse({ path: 'late-bad-byte.csv' }), ctx());
    const e = await failure({ path: 'late-bad-byte.csv' }, 'read');
    expect(e.message).toContain('late-bad-byte.csv: line 30002: invalid UTF-8 byte 0xE9');
  });

  it('a header with a repeated or empty column name', async () => {
    await writeFile(join(dir, 'dup.csv'), 'email,name,email\nx,y,z\n');
    expect((await failure({ path: 'dup.csv' })).message).toContain(
      'dup.csv: line 1: the header repeats column "email"',
    );
    await writeFile(join(dir, 'blank-col.csv'), 'email,,name\nx,y,z\n');
    expect((await failure({ path: 'blank-col.csv' })).message).toContain(
      'line 1: header column 2 has no name',
    );
  });

  it('a malformed header row', async () => {
    await writeFile(join(dir, 'bad-header.csv'), '"email"x,name\na,b\n');
    expect((await failure({ path: 'bad-header.csv' })).message).toContain(
      'bad-header.csv: line 1: the header row is malformed (unexpected text after a closing quote)',
    );
  });

  it('files of one glob with different columns', async () => {
    const e = await failure({ path: 'mismatch/*.csv' });
    expect(e.file).toBe('mismatch/b.csv');
    expect(e.message).toContain('missing "segment"; unexpected "country"');
    const viaRead = await failure({ path: 'mismatch/*.csv' }, 'read');
    expect(viaRead.file).toBe('mismatch/b.csv');
  });

  it('a state that is not a CSV state', async () => {
    const e = await failure({ path: 'audience.csv' }, 'read', { state: { audience: { cursor: 'x' } } });
    expect(e.message).toContain('the saved state for stream audience is not a CSV source state');
  });

  it('a file outside baseDir is named by its absolute path', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'dmpsync-csv-outside-'));
    try {
      await mkdir(join(outside, 'x'));
      await writeFile(join(outside, 'x', 'empty.csv'), '');
      const e = await failure({ path: join(outside, 'x', 'empty.csv') });
      expect(e.file).toBe(join(outside, 'x', 'empty.csv'));
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('csv source: config schema', () => {
  const issues = (input: unknown) => {
    const r = CsvConfig.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('applies the documented defaults', () => {
    expect(CsvConfig.parse({ path: 'a.csv' })).toEqual({
      path: 'a.csv',
      stream: 'audience',
      delimiter: ',',
      quote: '"',
      header: true,
      encoding: 'utf8',
      stateEvery: 10_000,
    });
  });

  it('rejects bad values with the key named', () => {
    expect(issues({ path: 'a.csv', delimiter: ';;' })).toEqual([
      'delimiter: delimiter must be exactly one character',
    ]);
    expect(issues({ path: 'a.csv', delimiter: '\n' })).toEqual([
      'delimiter: delimiter cannot be a line break',
    ]);
    expect(issues({ path: 'a.csv', quote: ',' })).toEqual(['quote: quote must differ from delimiter']);
    expect(issues({ path: 'a.csv', columns: ['a'] })).toEqual([
      'columns: columns is only used with header: false',
    ]);
    expect(issues({ path: 'a.csv', header: false, columns: ['a', 'a'] })).toEqual([
      'columns: columns must not repeat a name',
    ]);
    expect(issues({ path: 'a.csv', encoding: 'utf16' })[0]).toMatch(/^encoding: /);
    expect(issues({ path: 'a.csv', stateEvery: 0 })[0]).toMatch(/^stateEvery: /);
    expect(issues({ path: '' })[0]).toMatch(/^path: /);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    expect(issues({ path: 'a.csv', delimeter: ';' })[0]).toMatch(/delimeter/);
  });

  it('the fixture bytes used above are what the tests assume', async () => {
    const latin1 = await readFile(join(dir, 'latin1.csv'));
    expect(latin1.includes(0xe9)).toBe(true);
    expect((await readFile(join(dir, 'empty.csv'))).length).toBe(0);
  });
});
