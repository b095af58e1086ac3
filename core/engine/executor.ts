/**
 * Drains a segment's journal through the destination: batches of one action, several in flight,
 * with a barrier between actions so a REMOVE of an old payload always lands before the ADD of the
 * new one. Each batch's outcome is committed (checkpoint + journal) in one store transaction.
 */
import type { Action, DestinationSession, Member, ResolvedSegment } from '../plugin.js';
import type { EntryOutcome, JournalEntry, StateStore } from './store.js';

export interface DrainStats {
  sent: Record<Action, number>;
  acknowledged: Record<Action, number>;
  rejected: number;
  rejectedByReason: Record<string, number>;
  batches: number;
}

export interface DrainOptions {
  store: StateStore;
  session: DestinationSession;
  segment: ResolvedSegment;
  runId: string;
  batchSize: number;
  concurrency: number;
  signal: AbortSignal;
  now: () => number;
  onBatch?: (stats: DrainStats) => void;
}

export function emptyDrainStats(): DrainStats {
  return {
    sent: { ADD: 0, REMOVE: 0 },
    acknowledged: { ADD: 0, REMOVE: 0 },
    rejected: 0,
    rejectedByReason: {},
    batches: 0,
  };
}

export function mergeDrainStats(into: DrainStats, from: DrainStats): DrainStats {
  for (const a of ['ADD', 'REMOVE'] as const) {
    into.sent[a] += from.sent[a];
    into.acknowledged[a] += from.acknowledged[a];
  }
  into.rejected += from.rejected;
  into.batches += from.batches;
  for (const [r, n] of Object.entries(from.rejectedByReason))
    into.rejectedByReason[r] = (into.rejectedByReason[r] ?? 0) + n;
  return into;
}

/** Sends every pending journal entry of the segment. Stops taking new batches when `signal` aborts. */
export async function drainJournal(o: DrainOptions): Promise<DrainStats> {
  const stats = emptyDrainStats();
  const key = o.segment.spec.key;
  let afterId = 0;
  while (!o.signal.aborted) {
    const wave: JournalEntry[][] = [];
    let cursor = afterId;
    while (wave.length < o.concurrency) {
      const batch = await o.store.nextBatch(key, cursor, o.batchSize);
      if (batch.length === 0 || (wave[0] && batch[0]!.action !== wave[0][0]!.action)) break;
      wave.push(batch);
      cursor = batch[batch.length - 1]!.id;
    }
    if (wave.length === 0) break;
    const settled = await Promise.allSettled(wave.map((b) => sendOne(o, b, stats)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    afterId = cursor;
    o.onBatch?.(stats);
  }
  return stats;
}

async function sendOne(o: DrainOptions, batch: JournalEntry[], stats: DrainStats): Promise<void> {
  const action = batch[0]!.action;
  const members: Member[] = batch.map((e) => ({
    key: e.key,
    payload: JSON.parse(e.payload) as Record<string, unknown>,
  }));
  stats.sent[action] += batch.length;
  stats.batches++;
  const results = await o.session.sendBatch(o.segment, action, members);
  if (results.length !== batch.length) {
    throw new Error(`destination returned ${results.length} results for a batch of ${batch.length}`);
  }
  const outcomes: EntryOutcome[] = batch.map((entry, i) => {
    const r = results[i]!;
    if (r.ok) {
      stats.acknowledged[action]++;
      return { entry, ok: true };
    }
    stats.rejected++;
    stats.rejectedByReason[r.reason] = (stats.rejectedByReason[r.reason] ?? 0) + 1;
    return { entry, ok: false, reason: r.reason };
  });
  await o.store.complete(o.runId, outcomes, o.now());
}
