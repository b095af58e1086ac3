/**
 * Batch reading conformance, run by every built-in source beside the source suite
 * (test/conformance/source-suite.ts):
 *
 *   describeBatchConformance('csv', { definition: csvSource, validConfig: (dir) => ... });
 *
 * Requirements it encodes: the source has `readBatches`; `sourceBatches` (what the runner reads)
 * yields exactly `read`'s items, in the same order, in non-empty arrays; resuming from any STATE
 * item, including one in the middle of a batch, yields exactly the items after it, batched or not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PluginContext, ReadOptions, SourceDefinition, SourceItem } from '../../core/plugin.js';
import { sourceBatches } from '../../core/source-batches.js';
import { type Awaitable, sourceHarness } from '../conformance/harness.js';

export interface BatchConformanceOptions<S extends z.ZodType> {
  definition: SourceDefinition<S>;
  /** A working config whose read spans several batches and emits several STATE items. */
  validConfig: (dir: string) => Awaitable<z.input<S>>;
}

export function describeBatchConformance<S extends z.ZodType>(
  name: string,
  options: BatchConformanceOptions<S>,
): void {
  const { definition } = options;
  const { setup: prepare, collect: items, cleanup } = sourceHarness(definition, 'batches');
  const setup = () => prepare(options.validConfig);

  async function batches(config: z.output<S>, ctx: PluginContext, readOptions: ReadOptions = {}) {
    const out: SourceItem[][] = [];
    for await (const batch of sourceBatches(definition, config, ctx, readOptions)) out.push(batch);
    return out;
  }

  describe(`batch conformance: ${name}`, () => {
    afterEach(cleanup);

    it('implements readBatches', () => {
      expect(typeof definition.readBatches).toBe('function');
    });

    it('sourceBatches yields exactly the items of read, in order, in non-empty arrays', async () => {
      const { config, ctx } = await setup();
      const expected = await items(config, ctx);
      const got = await batches(config, ctx);
      for (const batch of got) expect(batch.length).toBeGreaterThan(0);
      expect(got.flat()).toEqual(expected);
      expect(expected.filter((i) => i.type === 'state').length).toBeGreaterThan(1);
    });

    it('resuming from any STATE item, mid-batch ones included, yields exactly the items after it', async () => {
      const { config, ctx } = await setup();
      const got = await batches(config, ctx);
      const flat = got.flat();
      // Where each state sits: inside a batch (items of the same batch on both sides) or at an edge.
      let midBatch = 0;
      let at = 0;
      for (const batch of got) {
        batch.forEach((item, k) => {
          if (item.type === 'state' && k > 0 && k < batch.length - 1) midBatch++;
        });
        at += batch.length;
      }
      expect(at).toBe(flat.length);
      expect(midBatch, 'validConfig must put a STATE item inside a batch').toBeGreaterThan(0);
      for (let i = 0; i < flat.length; i++) {
        const state = flat[i] as SourceItem;
        if (state.type !== 'state') continue;
        const resume = { state: { [state.stream]: state.state } };
        const expected = flat.slice(i + 1).filter((x) => x.type !== 'state' && x.stream === state.stream);
        const viaBatches = (await batches(config, ctx, resume)).flat();
        expect(
          viaBatches.filter((x) => x.type !== 'state' && x.stream === state.stream),
          `resume (batches) from ${JSON.stringify(state.state)}`,
        ).toEqual(expected);
        expect(viaBatches).toEqual(await items(config, ctx, resume));
      }
    });
  });
}
