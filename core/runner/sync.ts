/**
 * One run of a pipeline: recover -> read and stage -> plan (journal) -> send -> report.
 * `dryRun` stops after the diff and never writes to the destination.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedPipeline } from '../config/load.js';
import { openStore } from '../engine/open-store.js';
import type { StateStore } from '../engine/store.js';
import { failureTypeOf, InterruptedError } from '../errors.js';
import { type Logger, scrub, silentLogger } from '../log.js';
import type { DestinationSession, PluginContext, ResolvedSegment } from '../plugin.js';
import { sourceBatches } from '../source-batches.js';
import { Accounting, type RejectedRow, type RowCounts } from './accounting.js';
import { ActionReader } from './events.js';
import { lockSegments } from './locks.js';
import { emptySegmentReport, type RunReport, type RunStatus, type SegmentReport } from './report.js';
import { rowPrint } from './row-cache.js';
import { commitRowCache, startRowCache } from './row-cache-run.js';
import { NO_PRINT, RowMapper, Stager } from './rows.js';
import {
  exitFor,
  type PlannedSegment,
  pickStatus,
  planOne,
  replay,
  resolveOne,
  sendPlanned,
  sum,
} from './segment-phases.js';
import { ownedBy, type Shard } from './shard.js';

export interface RunOptions {
  pipeline: LoadedPipeline;
  dryRun?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  now?: () => number;
  /** Use this store instead of the configured one (it is not closed). */
  store?: StateStore;
  shard?: Shard;
  allowMassRemoval?: boolean;
  rejectsPath?: string;
  onProgress?: (counts: RowCounts) => void;
  lockTtlMs?: number;
  /** Events mode: read the source from the beginning instead of where the last complete run ended. */
  fromStart?: boolean;
  /**
   * Events mode: commit at every source STATE. What was read before it is planned, sent and
   * checkpointed, then this is called (`dmpsync write` echoes the STATE to the platform).
   */
  onStateCommitted?: (stream: string, state: Record<string, unknown>) => Promise<void>;
}

export async function runPipeline(o: RunOptions): Promise<RunReport> {
  const p = o.pipeline;
  const now = o.now ?? Date.now;
  const logger = o.logger ?? silentLogger();
  const signal = o.signal ?? new AbortController().signal;
  const started = now();
  const runId = `${new Date(started).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const ctx: PluginContext = { logger, signal, baseDir: p.baseDir, now };
  const rejectsPath =
    o.rejectsPath ?? (p.config.rejects.path ? resolve(p.baseDir, p.config.rejects.path) : undefined);
  const rejectsOut = rejectsPath ? createWriteStream(rejectsPath) : undefined;
  const includeValues = p.config.rejects.includeValues;
  const accounting = new Accounting((r) => rejectsOut?.write(`${JSON.stringify(r)}\n`));
  const store = o.store ?? (await openStore(p.config.state, p.baseDir));
  const segReports = new Map<string, SegmentReport>();
  let session: DestinationSession | undefined;
  let status: RunStatus = 'succeeded';
  let error: RunReport['error'];
  let release = async () => {};
  let failure: unknown;
  let finished: RunReport | undefined;
  let rowCache: RunReport['rowCache'] = null;
  try {
    await store.startRun(runId, { mode: p.config.mode, startedAt: started });
    // Prove the source readable and build the transforms first: a missing file or a config mistake
    // must fail before anything remote happens.
    await p.source.def.check(p.source.config, ctx);
    const chain = p.transforms.map((t) => ({ fn: t.def.create(t.config, ctx), identity: t.def.identity }));
    session = await p.destination.def.open(p.destination.config, ctx);
    const all = session.segments;
    const mine = o.shard ? all.filter((s) => ownedBy(s.key, o.shard!)) : all;
    for (const s of mine) segReports.set(s.key, emptySegmentReport(s));
    logger.info({ runId, segments: mine.map((s) => s.key), dryRun: !!o.dryRun }, 'run started');

    const locks = await lockSegments(
      store,
      mine.map((s) => s.key),
      {
        runId,
        ttlMs: o.lockTtlMs ?? 60_000,
        waitMs: p.config.lockTimeoutMs,
        now,
        signal,
      },
    );
    release = () => locks.release();

    const resolved = new Map<string, ResolvedSegment | null>();
    for (const spec of mine) {
      const r = await resolveOne(spec, session, store, segReports.get(spec.key)!, !!o.dryRun, logger);
      resolved.set(spec.key, r);
      if (r && !o.dryRun)
        await replay(r, session, store, runId, segReports.get(spec.key)!, signal, now, logger);
    }

    const events = p.config.mode === 'events';
    const mapper = new RowMapper(
      chain,
      all,
      new Set(mine.map((s) => s.key)),
      events ? new ActionReader(p.config.events) : undefined,
    );
    // Events mode resumes the source where the last complete run ended (mirror reads it all).
    const stateName = sourceStateName(p, o.shard);
    // Mirror mode: rows unchanged since the last complete run skip the transforms (row-cache.ts).
    const runCache = await startRowCache({
      pipeline: p,
      store,
      all,
      owned: mine,
      name: stateName,
      runId,
      dryRun: !!o.dryRun,
      logger,
    });
    rowCache = runCache?.report ?? null;
    const cache = runCache?.reader;
    const recording = runCache?.recording ?? false;
    const stager = new Stager(store, runId, accounting, store.stageBatchSize, store.stageDepth, recording);
    const startState = events && !o.fromStart ? await store.getSourceState(stateName) : null;
    const endState: Record<string, Record<string, unknown>> = { ...startState };
    const open = session;
    let chunk = 0;
    /** Plans and sends what is staged, segment by segment; false when a guardrail refused a plan. */
    const planStaged = async (): Promise<boolean> => {
      const context = { o, session: open, store, runId, signal, now, logger, firstChunk: chunk === 0 };
      const planned: PlannedSegment[] = [];
      for (const spec of mine) {
        const rep = segReports.get(spec.key)!;
        rep.duplicates = stager.duplicatesBySegment.get(spec.key) ?? 0;
        const p = await planOne(spec, resolved.get(spec.key) ?? null, { ...context, rep });
        if (p) planned.push(p);
      }
      await sendPlanned(planned, context);
      chunk++;
      return [...segReports.values()].every((r) => !r.refused);
    };
    const commitAtStates = events && !o.dryRun && o.onStateCommitted !== undefined;
    let refused = false;
    let lastProgress = 0;
    const batches = sourceBatches(
      p.source.def,
      p.source.config,
      ctx,
      startState ? { state: startState } : {},
    );
    reading: for await (const batch of batches) {
      if (signal.aborted)
        throw new InterruptedError(
          chunk === 0
            ? 'interrupted while reading the source; nothing was planned or sent'
            : 'interrupted while reading the source; what preceded the last committed STATE is sent',
        );
      for (const item of batch) {
        if (item.type === 'state') {
          endState[item.stream] = item.state;
          if (commitAtStates) {
            await stager.flush();
            if (!(await planStaged())) {
              refused = true;
              break reading;
            }
            await store.clearStaging(runId);
            await o.onStateCommitted!(item.stream, item.state);
          }
          continue;
        }
        accounting.read();
        if (item.type === 'malformed') {
          accounting.rejected({
            row: item.row,
            file: item.file,
            line: item.line,
            field: 'line',
            reason: item.reason,
          });
          continue;
        }
        const print = cache || recording ? rowPrint(item.data) : NO_PRINT;
        const hit = cache?.match(print);
        if (hit) {
          const full = stager.add({ members: hit }, print, true);
          if (full) await full;
          continue;
        }
        const out = mapper.map({ data: item.data, row: item.row, file: item.file });
        if ('rejected' in out) {
          const r: RejectedRow = { row: item.row, file: item.file, field: out.field, reason: out.reason };
          accounting.rejected(includeValues ? { ...r, data: item.data } : r);
        } else {
          const full = stager.add(out, print);
          if (full) await full;
        }
      }
      if (o.onProgress && accounting.counts.read - lastProgress >= 10_000) {
        lastProgress = accounting.counts.read;
        o.onProgress(accounting.counts);
      }
    }
    await stager.flush();
    cache?.close();
    if (cache && rowCache) {
      rowCache.hits = cache.hits;
      logger.info({ hits: cache.hits, read: accounting.counts.read }, 'row cache');
    }
    o.onProgress?.(accounting.counts);
    const planned = !refused && (await planStaged());
    status = pickStatus(accounting.counts.rejected, [...segReports.values()]);
    if (recording && planned && rowCache)
      rowCache.recorded = await commitRowCache(store, runId, mine, logger);
    // Only once every event read is journaled and sent may the next run start after them.
    if (events && !o.dryRun && planned) {
      await store.saveSourceState(stateName, endState, now());
    }
  } catch (err) {
    status = err instanceof InterruptedError || signal.aborted ? 'interrupted' : 'failed';
    error = { message: scrub((err as Error).message ?? String(err)), failureType: failureTypeOf(err) };
    failure = err;
    logger.error({ err }, 'run failed');
  }
  return finish();

  async function finish(): Promise<RunReport> {
    if (finished) return finished;
    for (const rep of segReports.values()) {
      rep.checkpointAfter = await store.checkpointCount(rep.key).catch(() => null);
      if (!o.dryRun)
        await store.saveSegment(rep.key, { lastRunId: runId, lastRunAt: now(), lastRunStatus: status });
    }
    const segs = [...segReports.values()];
    const report: RunReport = {
      runId,
      pipeline: p.config.name ?? null,
      mode: p.config.mode,
      dryRun: !!o.dryRun,
      status,
      exitCode: exitFor(status, failure),
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(now()).toISOString(),
      durationMs: now() - started,
      rows: { ...accounting.counts, balanced: accounting.balanced() },
      rejectedSamples: accounting.samples,
      rowCache,
      segments: segs,
      totals: {
        requests: sum(segs, (s) => s.requests),
        retries: sum(segs, (s) => s.retries),
        throttled: sum(segs, (s) => s.throttled),
        sent: sum(segs, (s) => s.sent.add + s.sent.remove),
        acknowledged: sum(segs, (s) => s.acknowledged.add + s.acknowledged.remove),
        rejected: sum(segs, (s) => s.rejected.count),
      },
      ...(error ? { error } : {}),
    };
    finished = report;
    await store.clearStaging(runId).catch(() => undefined);
    if (!o.dryRun) {
      const keep = p.config.state.journalRetentionDays * 86_400_000;
      await store.pruneJournal(now() - keep).catch(() => undefined);
    }
    await store.finishRun(runId, status, report).catch(() => undefined);
    await release().catch(() => undefined);
    await session?.close().catch(() => undefined);
    if (!o.store) await store.close();
    await new Promise<void>((r) => (rejectsOut ? rejectsOut.end(r) : r()));
    return report;
  }
}

/**
 * Where an events-mode pipeline's source state is kept: per pipeline `name` and shard. Unnamed
 * pipelines sharing a store are told apart by their source's type and config.
 */
function sourceStateName(p: LoadedPipeline, shard: Shard | undefined): string {
  const base =
    p.config.name ??
    `source:${p.source.def.name}:${createHash('sha1').update(JSON.stringify(p.source.config)).digest('hex').slice(0, 12)}`;
  return `${base}${shard ? `#${shard.index}/${shard.count}` : ''}`;
}
