import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../core/log.js';
import { defineSource, type PluginContext, type SourceItem } from '../../core/plugin.js';
import { flattenBatches, GROUP_ITEMS, groupItems, sourceBatches } from '../../core/source-batches.js';

const ctx: PluginContext = {
  logger: silentLogger(),
  signal: new AbortController().signal,
  baseDir: '.',
  now: Date.now,
};

function record(row: number): SourceItem {
  return { type: 'record', stream: 's', data: { n: row }, row };
}

/** A user plugin as written before readBatches existed: `read` only. */
const readOnly = defineSource({
  name: 'read-only',
  version: '1.0.0',
  description: 'A source that only implements read.',
  config: z.object({ rows: z.number() }),
  async check() {},
  async discover() {
    return { streams: [] };
  },
  async *read(config) {
    for (let row = 1; row <= config.rows; row++) {
      yield record(row);
      if (row % 1000 === 0) yield { type: 'state', stream: 's', state: { row } };
    }
  },
});

async function collect<T>(xs: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of xs) out.push(x);
  return out;
}

describe('sourceBatches', () => {
  it('groups the items of a source without readBatches, unchanged and in order', async () => {
    const rows = GROUP_ITEMS * 2 + 7;
    const expected = await collect(readOnly.read({ rows }, ctx, {}));
    const batches = await collect(sourceBatches(readOnly, { rows }, ctx, {}));
    expect(batches.every((b) => b.length > 0 && b.length <= GROUP_ITEMS)).toBe(true);
    expect(batches.flat()).toEqual(expected);
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(sourceBatches(readOnly, { rows: 0 }, ctx, {}))).toEqual([]);
  });

  it('uses readBatches when the source has it', async () => {
    const batched = defineSource({
      ...readOnly,
      name: 'batched',
      async *readBatches() {
        yield [record(1), record(2)];
        yield [record(3)];
      },
    });
    expect((await collect(sourceBatches(batched, { rows: 99 }, ctx, {}))).map((b) => b.length)).toEqual([
      2, 1,
    ]);
  });
});

describe('groupItems and flattenBatches', () => {
  it('round-trip any sequence of items, whatever the group size', async () => {
    for (const n of [0, 1, 5, 17]) {
      const items = Array.from({ length: n }, (_, i) => record(i + 1));
      async function* source() {
        yield* items;
      }
      for (const max of [1, 2, 5, 100]) {
        const groups = await collect(groupItems(source(), max));
        expect(groups.every((g) => g.length >= 1 && g.length <= max)).toBe(true);
        expect(await collect(flattenBatches(groupItems(source(), max)))).toEqual(items);
      }
    }
  });
});
