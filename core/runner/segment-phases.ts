/** The per-segment steps of a run: resolve, replay what an earlier run left, plan, send. */
import { type DrainStats, drainJournal } from '../engine/executor.js';
import type { StateStore } from '../engine/store.js';
import { ExitCode, exitCodeFor, InterruptedError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DestinationSession, ResolvedSegment, SegmentSpec } from '../plugin.js';
import type { RunStatus, SegmentReport } from './report.js';
import type { RunOptions } from './sync.js';

export async function resolveOne(
  spec: SegmentSpec,
  session: DestinationSession,
  store: StateStore,
  rep: SegmentReport,
  dryRun: boolean,
  logger: Logger,
): Promise<ResolvedSegment | null> {
  const known = await store.getSegment(spec.key);
  const r = await session.resolveSegment(spec, { create: !dryRun });
  if (!r) {
    rep.warnings.push('segment does not exist yet: it will be created by the first sync');
    if (known?.remoteId && (await store.checkpointCount(spec.key)) > 0) rep.membershipReset = true;
    return null;
  }
  rep.remoteId = r.remoteId;
  rep.created = r.created;
  rep.destinationStatus = r.status ?? null;
  // The remote membership is gone when the destination says so (EXPIRED) or when the segment we
  // synced before has been replaced by another one (deleted and re-created).
  const replaced = !!known?.remoteId && known.remoteId !== r.remoteId;
  if (r.membershipLost || replaced) {
    const pending = await store.pendingCounts(spec.key);
    const held = (await store.checkpointCount(spec.key)) + pending.add + pending.remove;
    // A brand-new segment with nothing recorded locally has lost nothing: no reset to report.
    if (held > 0) {
      rep.membershipReset = true;
      const why = replaced
        ? `segment ${known?.remoteId} is gone; now ${r.remoteId}`
        : `destination status ${r.status ?? 'unknown'}${r.created ? ', segment re-created' : ''}`;
      rep.warnings.push(`remote membership lost (${why}): checkpoint reset, all members are sent again`);
      if (!dryRun) {
        const reset = await store.resetSegment(spec.key);
        logger.warn(
          { segment: spec.key, why, ...reset },
          'remote membership lost: checkpoint reset, resending everything',
        );
      }
    }
  }
  if (!dryRun) await store.saveSegment(spec.key, { remoteId: r.remoteId });
  return r;
}

/** Finishes unfinished journal entries of earlier runs before anything is planned (crash recovery). */
export async function replay(
  segment: ResolvedSegment,
  session: DestinationSession,
  store: StateStore,
  runId: string,
  rep: SegmentReport,
  signal: AbortSignal,
  now: () => number,
  logger: Logger,
): Promise<void> {
  const pending = await store.pendingCounts(segment.spec.key);
  if (pending.add + pending.remove === 0) return;
  logger.warn({ segment: segment.spec.key, ...pending }, 'replaying unfinished operations of an earlier run');
  rep.replayed = pending;
  await drainWithStats(segment, session, store, runId, rep, signal, now);
}

export interface PlanContext {
  o: RunOptions;
  session: DestinationSession;
  store: StateStore;
  runId: string;
  rep: SegmentReport;
  signal: AbortSignal;
  now: () => number;
  logger: Logger;
  /** Events mode commits at every source STATE: the report adds up the chunks' plans. */
  firstChunk?: boolean;
}

/** A segment whose plan is to be journaled and sent. */
export interface PlannedSegment {
  spec: SegmentSpec;
  segment: ResolvedSegment;
  rep: SegmentReport;
  /** The diff has anything to journal. */
  changes: boolean;
}

/**
 * Diffs one segment into its report and applies the guardrails. Returns what to journal and send,
 * or null (refused, dry run, or a segment that could not be resolved).
 */
export async function planOne(
  spec: SegmentSpec,
  segment: ResolvedSegment | null,
  c: PlanContext,
): Promise<PlannedSegment | null> {
  const { store, runId, rep } = c;
  const mode = c.o.pipeline.config.mode;
  const d = await store.diff(runId, spec.key, mode);
  rep.staged += d.staged;
  rep.planned.add += d.add;
  rep.planned.remove += d.remove;
  rep.planned.change += d.change;
  rep.planned.unchanged += d.unchanged;
  if (c.firstChunk !== false) rep.planned.checkpointBefore = d.checkpoint;
  const batch = c.session.maxBatchSize;
  const requests = Math.ceil((d.remove + d.change) / batch) + Math.ceil((d.add + d.change) / batch);
  rep.estimatedSeconds += c.session.estimate(spec, requests).seconds;
  // Members after the run: in mirror mode exactly the staged set; in events mode the checkpoint moved.
  const refusal = guardrail(d.remove, d.checkpoint, d.checkpoint - d.remove + d.add, c);
  if (refusal) {
    rep.refused = refusal;
    c.logger.warn({ segment: spec.key, reason: refusal }, 'plan refused by guardrail');
    return null;
  }
  if (c.o.dryRun || !segment) return null;
  return { spec, segment, rep, changes: d.add + d.remove + d.change > 0 };
}

/**
 * Journals and sends the planned segments, one after the other. A store that can journal while
 * another segment's acknowledgements commit (`concurrentPlans`) gets every plan at once, so the
 * next segment's plan is written while this one sends.
 */
export async function sendPlanned(planned: PlannedSegment[], c: Omit<PlanContext, 'rep'>): Promise<void> {
  const { store, runId } = c;
  const mode = c.o.pipeline.config.mode;
  const journal = (p: PlannedSegment) =>
    p.changes ? store.journalPlan(runId, p.spec.key, mode).then(() => undefined) : Promise.resolve();
  const ahead = store.concurrentPlans ? planned.map(journal) : [];
  // A failure surfaces when its segment's turn comes, not as an unhandled rejection meanwhile.
  for (const j of ahead) j.catch(() => undefined);
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!;
    await (ahead[i] ?? journal(p));
    await drainWithStats(p.segment, c.session, store, runId, p.rep, c.signal, c.now);
    store.writeBack?.();
  }
}

function guardrail(remove: number, before: number, after: number, c: PlanContext): string | undefined {
  const g = c.o.pipeline.config.guardrails;
  if (remove === 0 || g.allowMassRemoval || c.o.allowMassRemoval) return undefined;
  const share = before === 0 ? 0 : remove / before;
  if (share > g.maxRemoveShare) {
    return `would remove ${remove} of ${before} members (${(share * 100).toFixed(1)}% > ${(g.maxRemoveShare * 100).toFixed(0)}% allowed); pass --allow-mass-removal or raise guardrails.maxRemoveShare`;
  }
  if (after < g.minSegmentSize) {
    return `would leave ${after} members (< ${g.minSegmentSize}, LinkedIn's minimum to serve); pass --allow-mass-removal or lower guardrails.minSegmentSize`;
  }
  return undefined;
}

async function drainWithStats(
  segment: ResolvedSegment,
  session: DestinationSession,
  store: StateStore,
  runId: string,
  rep: SegmentReport,
  signal: AbortSignal,
  now: () => number,
): Promise<DrainStats> {
  const before = session.stats();
  const started = now();
  try {
    const stats = await drainJournal({
      store,
      session,
      segment,
      runId,
      batchSize: session.maxBatchSize,
      concurrency: 4,
      signal,
      now,
    });
    rep.sent.add += stats.sent.ADD;
    rep.sent.remove += stats.sent.REMOVE;
    rep.acknowledged.add += stats.acknowledged.ADD;
    rep.acknowledged.remove += stats.acknowledged.REMOVE;
    rep.rejected.count += stats.rejected;
    rep.batches += stats.batches;
    for (const [r, n] of Object.entries(stats.rejectedByReason))
      rep.rejected.byReason[r] = (rep.rejected.byReason[r] ?? 0) + n;
    // The executor stops taking batches on abort and returns normally: without this the run would
    // be reported as succeeded with work still pending in the journal.
    if (signal.aborted) {
      const left = await store.pendingCounts(segment.spec.key);
      throw new InterruptedError(
        `interrupted: in-flight batches finished, ${left.add + left.remove} operations of segment ${segment.spec.key} left in the journal for the next run`,
      );
    }
    return stats;
  } finally {
    const after = session.stats();
    rep.requests += after.requests - before.requests;
    rep.retries += after.retries - before.retries;
    rep.throttled += after.throttled - before.throttled;
    rep.durationMs += now() - started;
  }
}

export function pickStatus(rowRejects: number, segs: SegmentReport[]): RunStatus {
  if (segs.some((s) => s.refused)) return 'refused';
  if (rowRejects > 0 || segs.some((s) => s.rejected.count > 0)) return 'completed_with_rejections';
  return 'succeeded';
}

export function exitFor(status: RunStatus, failure: unknown): number {
  switch (status) {
    case 'succeeded':
      return ExitCode.Success;
    case 'completed_with_rejections':
      return ExitCode.CompletedWithRejections;
    case 'refused':
      return ExitCode.Refused;
    case 'interrupted':
      return ExitCode.Interrupted;
    default:
      return exitCodeFor(failure);
  }
}

export function sum<T>(xs: T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0);
}
