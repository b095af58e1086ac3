/** Shared test helpers for transforms: a plugin context and a row factory. */
import { silentLogger } from '../../core/log.js';
import type { PipelineRow, PluginContext } from '../../core/plugin.js';

export function testContext(): PluginContext {
  return {
    logger: silentLogger(),
    signal: new AbortController().signal,
    baseDir: process.cwd(),
    now: () => 0,
  };
}

export function row(data: Record<string, unknown>, n = 1): PipelineRow {
  return { data, row: n };
}

export const HEX = '0123456789abcdef'.split('');
export const HEX_ANY_CASE = '0123456789abcdefABCDEF'.split('');
