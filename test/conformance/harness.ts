/**
 * What the source suites share: a temp dir per test as the context's baseDir, the config parsed by
 * the source's own schema, a fixed clock, and a full `read` collected. Call `cleanup` in afterEach.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { silentLogger } from '../../core/log.js';
import type { PluginContext, ReadOptions, SourceDefinition, SourceItem } from '../../core/plugin.js';

export type Awaitable<T> = T | Promise<T>;

export function sourceHarness<S extends z.ZodType>(definition: SourceDefinition<S>, prefix: string) {
  const dirs: string[] = [];
  return {
    async setup(build: (dir: string) => Awaitable<z.input<S>>) {
      const dir = await mkdtemp(join(tmpdir(), `dmpsync-${prefix}-${definition.name}-`));
      dirs.push(dir);
      const parsed = definition.config.safeParse(await build(dir));
      if (!parsed.success) throw new Error(`the test config does not parse: ${parsed.error.message}`);
      const ctx: PluginContext = {
        logger: silentLogger(),
        signal: new AbortController().signal,
        baseDir: dir,
        now: () => 1_735_787_045_000,
      };
      return { config: parsed.data as z.output<S>, ctx };
    },
    async collect(config: z.output<S>, ctx: PluginContext, readOptions: ReadOptions = {}) {
      const items: SourceItem[] = [];
      for await (const item of definition.read(config, ctx, readOptions)) items.push(item);
      return items;
    },
    async cleanup() {
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
