import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, deflateRawSync, deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { snowflakeJsonSource } from '../../connectors/snowflake-json/index.js';
import { silentLogger } from '../../core/log.js';
import type { SourceItem } from '../../core/plugin.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/snowflake/${name}`, import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function read(files: Record<string, string | Buffer>, config: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'dmpsync-sf-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string' && content.startsWith('fixture:'))
      await copyFile(fixture(content.slice(8)), join(dir, name));
    else await writeFile(join(dir, name), content);
  }
  const parsed = snowflakeJsonSource.config.parse(config);
  const ctx = { logger: silentLogger(), signal: new AbortController().signal, baseDir: dir, now: () => 0 };
  const items: SourceItem[] = [];
  for await (const item of snowflakeJsonSource.read(parsed, ctx, {})) items.push(item);
  return items.flatMap((i) =>
    i.type === 'record' ? [i.data] : i.type === 'malformed' ? [{ malformed: i.reason }] : [],
  );
}

describe('snowflake-json source', () => {
  it('reads OBJECT_CONSTRUCT(*) output: UPPERCASE keys kept, omitted NULL keys become null', async () => {
    const rows = await read(
      { 'data_0_0_0.json.gz': 'fixture:object_construct_star_data_0_0_0.json.gz' },
      { path: '*.gz' },
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ EMAIL: '  Jane.Doe@Example.COM ', COMPANY: 'Acme Corp' });
    expect(rows[1]).toMatchObject({ COMPANY: null, TITLE: null, COUNTRY: 'DE' });
    expect(rows[3]).toMatchObject({ EMAIL: null, FIRST_NAME: 'Chloé' });
    expect(Object.keys(rows[3] as object).sort()).toEqual(Object.keys(rows[0] as object).sort());
  });

  it('gives numbers as their JSON text (the docs example with an id number)', async () => {
    const rows = await read({ data: 'fixture:data_0_0_0.json.gz' }, { path: 'data' });
    expect(rows[0]).toEqual({
      city: 'Salt Lake City',
      first_name: 'Ryan',
      id: '1',
      last_name: 'Dalton',
      state: 'UT',
    });
  });

  it('maps SQL API v2 rows (arrays of strings) to the rowType names, partition 0 first', async () => {
    const rows = await read(
      {
        'a-partition1.json': 'fixture:sqlapi-v2-partition1.json',
        'b-result.json': 'fixture:sqlapi-v2-resultset-partition0.json',
      },
      { path: '*.json' },
    );
    expect(rows.map((r) => (r as { ID: string }).ID)).toEqual(['1', '2', '3', '4', '5']);
    expect(rows[1]).toEqual({
      ID: '2',
      EMAIL: 'max.mustermann@example.de',
      SEGMENT: null,
      UPDATED_AT: '1732379001.000',
    });
    expect(rows[4]).toMatchObject({ EMAIL: null });
  });

  it('reads deflate, raw deflate and brotli files by extension', async () => {
    const text = await readFile(fixture('docs-example_data_0_0_0.json'));
    const rows = await read(
      {
        'a.json.deflate': deflateSync(text),
        'b.json.raw_deflate': deflateRawSync(text),
        'c.json.br': brotliCompressSync(text),
      },
      { path: '*.json.*' },
    );
    expect(rows).toHaveLength(9);
  });

  it('reports a broken NDJSON line as malformed without quoting it, and goes on', async () => {
    const rows = await read(
      { 'x.json': '{"EMAIL":"a@example.com"}\n{"EMAIL":"secret@exa\n\n{"EMAIL":"b@example.com"}\n[1]\n' },
      { path: 'x.json' },
    );
    expect(rows).toEqual([
      { EMAIL: 'a@example.com' },
      { malformed: 'not valid JSON' },
      { EMAIL: 'b@example.com' },
      { malformed: 'not a JSON object' },
    ]);
  });

  it('splits a JSON array whose strings hold brackets, commas and escaped quotes', async () => {
    const rows = await read(
      { 'a.json': '[{"A":"x,]}[{","B":{"n":[1,2]}}, {"A":"q\\"}"}]' },
      { path: 'a.json' },
    );
    expect(rows).toEqual([
      { A: 'x,]}[{', B: '{"n":[1,2]}' },
      { A: 'q"}', B: null },
    ]);
  });
});
