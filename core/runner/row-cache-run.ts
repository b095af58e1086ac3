/**
 * The row cache's part in a run (row-cache.ts has the reader): whether it applies, opening the last
 * complete run's cache if it still stands, recording this run's, committing it once all is sent.
 * docs/checkpoint.md#the-row-cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { LoadedPipeline } from '../config/load.js';
import { resolvePluginModule } from '../config/plugins.js';
import { RecordReader } from '../engine/row-cache-file.js';
import type { StateStore } from '../engine/store.js';
import type { Logger } from '../log.js';
import type { SegmentSpec } from '../plugin.js';
import type { RunReport } from './report.js';
import { RowCacheReader } from './row-cache.js';

export interface RunRowCache {
  /** The last complete run's cache, when it stands. */
  reader?: RowCacheReader;
  /** This run records a cache for the next (not in a dry run). */
  recording: boolean;
  report: NonNullable<RunReport['rowCache']>;
}

/**
 * Opens the cache and starts recording, when the run can have one: mirror mode, a store that keeps
 * caches (SQLite with a file), and no transform that declares `cacheable: false`.
 */
export async function startRowCache(o: {
  pipeline: LoadedPipeline;
  store: StateStore;
  all: SegmentSpec[];
  owned: SegmentSpec[];
  /** The pipeline's name and shard (one cache each). */
  name: string;
  runId: string;
  dryRun: boolean;
  logger: Logger;
}): Promise<RunRowCache | undefined> {
  const p = o.pipeline;
  const store = o.store.rowCache;
  if (p.config.mode === 'events' || p.transforms.some((t) => t.def.cacheable === false) || !store) return;
  const path = store.cachePath(o.name);
  const config = cacheConfigHash(p, o.all, o.owned, o.name);
  const opened = await openRowCache(
    path,
    { config, schema: store.schemaVersion, gens: (s) => store.checkpointGens(s) },
    o.logger,
  );
  const cache: RunRowCache =
    typeof opened === 'string'
      ? { recording: false, report: { used: false, hits: 0, unused: opened, recorded: 0 } }
      : { reader: opened, recording: false, report: { used: true, hits: 0, recorded: 0 } };
  if (!o.dryRun) {
    await store.recordCache(o.runId, path, config);
    cache.recording = true;
  }
  return cache;
}

/**
 * Moves the run's cache into place, only once every segment's plan is fully sent: its rowids must
 * be what the checkpoint now holds. A cache that cannot be written costs the next run time, not
 * correctness, so it never fails the run. Returns the rows recorded.
 */
export async function commitRowCache(
  store: StateStore,
  runId: string,
  segments: { key: string }[],
  logger: Logger,
): Promise<number> {
  for (const s of segments) {
    const left = await store.pendingCounts(s.key);
    if (left.add + left.remove > 0) return 0;
  }
  try {
    const rows = await store.rowCache!.commitCache(runId);
    logger.debug({ rows }, 'row cache written');
    return rows;
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'row cache not written: the next run transforms every row');
    return 0;
  }
}

/** What decides a cached row's members besides its raw fields. */
export function cacheConfigHash(
  p: LoadedPipeline,
  all: SegmentSpec[],
  owned: SegmentSpec[],
  name: string,
): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      version: dmpsyncVersion(),
      name,
      transforms: p.transforms.map((t) => [t.def.name, t.def.version, t.config]),
      destination: p.destination.def.name,
      // Routing reads every segment (a value no segment takes is a reject), members go to owned ones.
      segments: all.map((s) => [s.key, s.type, s.route ?? s.key]),
      owned: owned.map((s) => s.key),
      plugins: p.config.plugins,
    }),
  );
  // A plugin edited without a version bump still invalidates the cache (its entry file, at least).
  for (const spec of p.config.plugins) {
    let file: string;
    try {
      file = resolvePluginModule(spec, p.baseDir);
    } catch {
      continue; // loadPipeline resolved it already; a file gone since cannot have run
    }
    h.update(readFileSync(file));
  }
  return h.digest('hex');
}

/** This package's version: a new release may transform differently. */
function dmpsyncVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'dmpsync') return pkg.version ?? '';
    } catch {
      // not this level
    }
  }
  return '';
}

/** The reader of a pipeline's cache file if it is there and still stands, else why not. */
export async function openRowCache(
  path: string,
  expect: { config: string; schema: number; gens: (segments: string[]) => Promise<number[]> },
  logger: Logger,
): Promise<RowCacheReader | string> {
  if (!existsSync(path)) return 'no cache yet';
  let file: RecordReader;
  try {
    file = new RecordReader(path);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'row cache unreadable: every row is transformed');
    return 'unreadable';
  }
  const h = file.header;
  const why =
    h.format !== 1
      ? 'another format'
      : h.config !== expect.config
        ? 'config changed'
        : h.schema !== expect.schema
          ? 'store schema changed'
          : (await expect.gens(h.segments)).some((g, i) => g !== h.gens[i])
            ? 'checkpoint changed since'
            : undefined;
  if (why) {
    file.close();
    logger.info({ why }, 'row cache not used: every row is transformed');
    return why;
  }
  return new RowCacheReader(file, h.segments);
}
