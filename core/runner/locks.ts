/** Per-segment locks for one run: acquire (waiting up to a timeout), heartbeat, release. */
import { hostname } from 'node:os';
import type { StateStore } from '../engine/store.js';
import { TransientError } from '../errors.js';

export class SegmentLockedError extends TransientError {}

export interface LockSet {
  release(): Promise<void>;
}

export async function lockSegments(
  store: StateStore,
  segments: string[],
  o: {
    runId: string;
    ttlMs: number;
    waitMs: number;
    now: () => number;
    signal: AbortSignal;
    pollMs?: number;
  },
): Promise<LockSet> {
  const owner = { id: o.runId, host: hostname(), pid: process.pid };
  const held: string[] = [];
  const deadline = o.now() + o.waitMs;
  try {
    for (const seg of sortedUnique(segments)) {
      for (;;) {
        const holder = await store.acquireLock(seg, owner, o.ttlMs, o.now());
        if (!holder) break;
        if (o.now() >= deadline || o.signal.aborted) {
          throw new SegmentLockedError(
            `segment ${seg} is being synced by another run (${holder.owner}, pid ${holder.pid} on ${holder.host}); ` +
              `its lock expires at ${new Date(holder.expiresAt).toISOString()}. ` +
              'Wait for it, or set lockTimeoutMs to wait automatically.',
          );
        }
        await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
      }
      held.push(seg);
    }
  } catch (err) {
    await store.releaseLocks(held, owner.id);
    throw err;
  }
  const timer = setInterval(
    () => {
      store.renewLocks(held, owner.id, o.ttlMs, o.now()).catch(() => undefined);
    },
    Math.max(1000, Math.floor(o.ttlMs / 3)),
  );
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await store.releaseLocks(held, owner.id);
    },
  };
}

// A fixed order prevents two runs sharing segments from deadlocking on each other.
function sortedUnique(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}
