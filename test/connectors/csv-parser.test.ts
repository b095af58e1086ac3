import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteDecoder, firstInvalidUtf8, InvalidUtf8Error } from '../../connectors/csv/decode.js';
import { type CsvDialect, type CsvEvent, CsvParser, MAX_RECORD_CHARS } from '../../connectors/csv/parser.js';
import { CsvFileReader } from '../../connectors/csv/reader.js';
import { generateAudienceCsv } from '../bench/generate.js';

const RFC: CsvDialect = { delimiter: ',', quote: '"', escape: '"' };

/** Parses `text` fed in pieces of the given sizes (cycled), as a stream would. */
function parse(
  text: string,
  width?: number,
  sizes: number[] = [text.length || 1],
  dialect = RFC,
): CsvEvent[] {
  const p = new CsvParser(dialect, width);
  const out: CsvEvent[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] as number);
    p.push(text.slice(i, i + n), out);
    i += n;
  }
  p.end(out);
  return out;
}

function serialize(rows: string[][], quoteAll: boolean[], eol: string): string {
  return rows
    .map((row, r) =>
      row
        .map((f) => (quoteAll[r] || f === '' || /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f))
        .join(','),
    )
    .join(eol);
}

describe('CsvParser', () => {
  it('round-trips any table, whatever the chunking, with correct line numbers', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', 'Ł', '😀', ',', '"', '\n', '\r\n', ' ', 'x') });
    const table = fc
      .integer({ min: 1, max: 5 })
      .chain((w) =>
        fc.array(fc.array(field, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 12 }),
      );
    fc.assert(
      fc.property(
        table,
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (rows, quoteAll, eol, trailingEol, sizes) => {
          const text = serialize(rows, quoteAll, eol) + (trailingEol ? eol : '');
          const events = parse(text, rows[0]?.length, sizes);
          expect(events.map((e) => (e.kind === 'record' ? e.fields : e))).toEqual(rows);
          let line = 1;
          rows.forEach((row, i) => {
            expect(events[i]?.line).toBe(line);
            line += 1 + row.join('').split('\n').length - 1;
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reports broken rows at their first line and resumes on the next line', () => {
    const text = [
      'a,b,c', // 1
      '1,2,3', // 2
      '4,"5,6', // 3: unbalanced quote, closes at line 6
      '7,8,9', // 4
      '10,11', // 5: too few
      '12,"x"y,13', // 6: text after a closing quote
      '14,15,16', // 7
      '"q""uote","multi', // 8-9: one record over two lines
      'line",z',
      'last,no,newline', // 10
    ].join('\n');
    const expected = [
      { kind: 'record', fields: ['a', 'b', 'c'], line: 1 },
      { kind: 'record', fields: ['1', '2', '3'], line: 2 },
      { kind: 'malformed', line: 3, reason: 'unexpected text after a closing quote' },
      { kind: 'record', fields: ['7', '8', '9'], line: 4 },
      { kind: 'malformed', line: 5, reason: 'expected 3 fields, found 2' },
      { kind: 'malformed', line: 6, reason: 'unexpected text after a closing quote' },
      { kind: 'record', fields: ['14', '15', '16'], line: 7 },
      { kind: 'record', fields: ['q"uote', 'multi\nline', 'z'], line: 8 },
      { kind: 'record', fields: ['last', 'no', 'newline'], line: 10 },
    ];
    for (const size of [1, 2, 3, 5, 8, 13, text.length]) expect(parse(text, 3, [size])).toEqual(expected);
  });

  it('a quote left open at the end costs one row, not the rest of the file', () => {
    expect(parse('a,b\n1,"open\n2,3\n4,5', 2, [4])).toEqual([
      { kind: 'record', fields: ['a', 'b'], line: 1 },
      { kind: 'malformed', line: 2, reason: 'unterminated quoted field' },
      { kind: 'record', fields: ['2', '3'], line: 3 },
      { kind: 'record', fields: ['4', '5'], line: 4 },
    ]);
  });

  it(`gives up on a quote still open after ${MAX_RECORD_CHARS} characters, without waiting for the end`, () => {
    const p = new CsvParser(RFC, 2);
    const out: CsvEvent[] = [];
    p.push('a,"open\n', out);
    const line = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,y\n';
    for (let i = 0; i * line.length < 2.2 * MAX_RECORD_CHARS; i++) p.push(line, out);
    // Decided before the input ends:
    expect(out[0]).toEqual({ kind: 'malformed', line: 1, reason: 'unterminated quoted field' });
    expect(out.length).toBeGreaterThan(1000);
    expect(out[1]).toEqual({ kind: 'record', fields: [line.slice(0, 62), 'y'], line: 2 });
  });

  it('record spanning lines with the wrong field count resyncs on its second line', () => {
    expect(parse('a,b\n"x\ny",1,2\n3,4\n', 2)).toEqual([
      { kind: 'record', fields: ['a', 'b'], line: 1 },
      {
        kind: 'malformed',
        line: 2,
        reason: 'expected 2 fields, found 3 in a record spanning lines 2-3 (an unbalanced quote?)',
      },
      { kind: 'malformed', line: 3, reason: 'expected 2 fields, found 3' },
      { kind: 'record', fields: ['3', '4'], line: 4 },
    ]);
  });

  it('skips blank lines, keeps empty fields, strips only the CR of CRLF', () => {
    expect(
      parse('a,b\r\n\r\n\n,\r\nx\r,y\r\n\r', 2).map((e) => (e.kind === 'record' ? e.fields : e)),
    ).toEqual([
      ['a', 'b'],
      ['', ''],
      ['x\r', 'y'],
    ]);
  });

  it('supports another delimiter, quote and escape character', () => {
    const dialect = { delimiter: ';', quote: "'", escape: '\\' };
    const events = parse("a;b\n'x;\\'y\\'';'back\\\\slash \\n'\n", 2, [1], dialect);
    expect(events.map((e) => (e.kind === 'record' ? e.fields : e))).toEqual([
      ['a', 'b'],
      ["x;'y'", 'back\\slash \\n'],
    ]);
  });

  it('reads a doubled quote as one quote even with another escape character', () => {
    const dialect = { delimiter: ',', quote: '"', escape: '\\' };
    expect(parse('"a""b","c\\"d"\n', 2, [1], dialect)).toEqual([
      { kind: 'record', fields: ['a"b', 'c"d'], line: 1 },
    ]);
  });

  it('pauses after the first record until the field count is known', () => {
    const p = new CsvParser(RFC);
    const out: CsvEvent[] = [];
    p.push('a,b\n1,2,3\n4,5\n', out);
    expect(out).toEqual([{ kind: 'record', fields: ['a', 'b'], line: 1 }]);
    p.expectedFields = 2;
    p.resume(out);
    p.end(out);
    expect(out.slice(1)).toEqual([
      { kind: 'malformed', line: 2, reason: 'expected 2 fields, found 3' },
      { kind: 'record', fields: ['4', '5'], line: 3 },
    ]);
  });
});

describe('CsvFileReader on a generated audience', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dmpsync-csv-parser-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('yields exactly what papaparse yields on valid input (plain and gzip)', async () => {
    const plain = join(dir, 'a.csv');
    const gz = join(dir, 'a.csv.gz');
    await generateAudienceCsv(plain, 20_000, { seed: 42 });
    await generateAudienceCsv(gz, 20_000, { seed: 42 });
    const reference = Papa.parse<string[]>(await readFile(plain, 'utf8'), { skipEmptyLines: true }).data;
    for (const [path, gzip] of [
      [plain, false],
      [gz, true],
    ] as const) {
      const reader = await CsvFileReader.open(
        { path, name: 'a.csv', gzip },
        { dialect: RFC, encoding: 'utf8', header: true },
      );
      const rows: string[][] = [reader.columns];
      for await (const batch of reader.batches()) {
        for (const e of batch) rows.push(e.kind === 'record' ? e.fields : [`malformed line ${e.line}`]);
      }
      expect(rows.length).toBe(20_001);
      expect(rows).toEqual(reference);
    }
  });
});

describe('ByteDecoder', () => {
  it('decodes UTF-8 split anywhere across chunks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.nat(), { maxLength: 6 }), (s, cuts) => {
        const bytes = Buffer.from(s, 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const d = new ByteDecoder('utf8');
        let text = '';
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          text += d.decode(bytes.subarray(prev, p));
          prev = p;
        }
        expect(text + d.end()).toBe(s);
      }),
    );
  });

  it('rejects invalid UTF-8 with the byte and the newlines before it', () => {
    const d = new ByteDecoder('utf8');
    expect(d.decode(Buffer.from('a\nb\n'))).toBe('a\nb\n');
    const err = (() => {
      try {
        d.decode(Buffer.from([0x78, 0x0a, 0x79, 0xe9, 0x0a]));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidUtf8Error);
    expect((err as InvalidUtf8Error).message).toBe('invalid UTF-8 byte 0xE9');
    expect((err as InvalidUtf8Error).newlinesBefore).toBe(1);
  });

  it('rejects a character cut off by the end of input', () => {
    const d = new ByteDecoder('utf8');
    expect(d.decode(Buffer.from([0x61, 0xc3]))).toBe('a');
    expect(() => d.end()).toThrow(InvalidUtf8Error);
  });

  it('finds the first invalid byte: stray continuation, overlong, surrogate, out of range, truncated', () => {
    const at = (...b: number[]) => firstInvalidUtf8(Uint8Array.from(b));
    expect(at(0x61, 0xc3, 0xa9, 0x62)).toBe(4);
    expect(at(0x61, 0x80)).toBe(1);
    expect(at(0xc0, 0x80)).toBe(0);
    expect(at(0xe0, 0x80, 0x80)).toBe(0);
    expect(at(0x61, 0xed, 0xa0, 0x80)).toBe(1);
    expect(at(0xf5, 0x80, 0x80, 0x80)).toBe(0);
    expect(at(0x61, 0x62, 0xe2, 0x82)).toBe(2);
  });

  it('reads latin1 as Windows-1252', () => {
    expect(new ByteDecoder('latin1').decode(Buffer.from([0x52, 0xe9, 0x80]))).toBe('Ré€');
  });
});
