/** Splitting segments between N workers: a stable hash of the segment key picks the worker. */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count) {
    throw new ConfigError(`invalid --shard "${text}"`, {
      fix: 'write i/n with 0 <= i < n, e.g. --shard 0/2',
    });
  }
  return { index, count };
}

export function ownedBy(segmentKey: string, shard: Shard): boolean {
  const h = createHash('sha256').update(segmentKey).digest().readUInt32BE(0);
  return h % shard.count === shard.index;
}
