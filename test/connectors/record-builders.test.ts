/**
 * The csv and snowflake-json sources build records with a function compiled from the column names
 * (one object shape per file). Names come from untrusted files: they must be taken literally.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordBuilder } from '../../connectors/csv/read.js';
import { snowflakeJsonSource } from '../../connectors/snowflake-json/index.js';
import { silentLogger } from '../../core/log.js';
import type { SourceItem } from '../../core/plugin.js';
import { compileRecordBuilder } from '../../core/record-builder.js';

const odd = [
  'email',
  'a"b',
  "c'd",
  'e\\f',
  '`$' + '{x}`',
  '}); throw 1; ({',
  'toString',
  'constructor',
  '\u2028',
];

describe('compileRecordBuilder', () => {
  const fallback = () => 'loop';
  const source = (keys: string[]) => `return function () { return [${keys.join(', ')}]; };`;

  it('compiles ordinary and odd names, each given as a JSON literal', () => {
    const built = compileRecordBuilder(odd, source, {}, fallback);
    expect(built).not.toBe(fallback);
    expect(built()).toEqual(odd);
  });

  it('passes the scope to the generated code by name', () => {
    expect(
      compileRecordBuilder(
        ['a'],
        () => 'return () => twice(2);',
        { twice: (n: number) => 2 * n },
        fallback,
      )(),
    ).toBe(4);
  });

  it('falls back for `__proto__`, repeated names and code that does not compile', () => {
    expect(compileRecordBuilder(['__proto__'], source, {}, fallback)).toBe(fallback);
    expect(compileRecordBuilder(['a', 'a'], source, {}, fallback)).toBe(fallback);
    expect(compileRecordBuilder(['a'], () => 'return {', {}, fallback)).toBe(fallback);
  });
});

describe('csv recordBuilder', () => {
  it('maps fields to any column names, literally', () => {
    const fields = odd.map((_, i) => `v${i}`);
    const data = recordBuilder(odd)(fields);
    expect(Object.keys(data)).toEqual(odd);
    odd.forEach((c, i) => {
      expect(Object.hasOwn(data, c) && data[c]).toBe(`v${i}`);
    });
  });

  it('keeps `__proto__` and repeated names as a plain loop would', () => {
    const data = recordBuilder(['__proto__', 'a'])(['x', 'y']);
    expect(data.a).toBe('y');
    expect(recordBuilder(['a', 'a'])(['1', '2'])).toEqual({ a: '2' });
  });

  it('leaves a missing field undefined', () => {
    expect(recordBuilder(['a', 'b'])(['1'])).toEqual({ a: '1', b: undefined });
  });
});

describe('snowflake-json records', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function read(lines: unknown[], columns?: string[]): Promise<SourceItem[]> {
    const dir = await mkdtemp(join(tmpdir(), 'dmpsync-records-'));
    dirs.push(dir);
    await writeFile(join(dir, 'rows.json'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const config = snowflakeJsonSource.config.parse({ path: 'rows.json', ...(columns ? { columns } : {}) });
    const ctx = { logger: silentLogger(), signal: new AbortController().signal, baseDir: dir, now: () => 0 };
    const out: SourceItem[] = [];
    for await (const item of snowflakeJsonSource.read(config, ctx, {})) out.push(item);
    return out;
  }

  it('takes any key literally, fills absent columns with null, keeps extra keys', async () => {
    const full = Object.fromEntries(odd.map((c, i) => [c, i % 2 ? i : `s${i}`]));
    const items = await read([full, { email: 'x@y.zz' }, { email: 'a@b.cc', extra: { n: 1 } }], odd);
    const records = items.flatMap((i) => (i.type === 'record' ? [i.data] : []));
    expect(records[0]).toEqual(Object.fromEntries(odd.map((c, i) => [c, i % 2 ? String(i) : `s${i}`])));
    expect(records[1]).toEqual({ ...Object.fromEntries(odd.map((c) => [c, null])), email: 'x@y.zz' });
    expect(records[2]).toEqual({
      ...Object.fromEntries(odd.map((c) => [c, null])),
      email: 'a@b.cc',
      extra: '{"n":1}',
    });
    // Inherited names are only read as own keys.
    expect(records[1]?.toString).toBeNull();
    expect(records[1]?.constructor).toBeNull();
  });
});
