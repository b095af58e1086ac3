/** Resolved options, counters and the shared environment every route handler receives. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RawQuery } from './restli.js';
import type { Store } from './store.js';
import type { BatchValidation, EmulatorOptions, EmulatorStats } from './types.js';

export interface ResolvedOptions {
  segmentReadyDelayMs: number;
  buildingToReadyMs: number;
  updatingToReadyMs: number;
  batchValidation: BatchValidation;
  sunsetVersions: Set<string>;
  seed: number;
  usersPerWindow: number;
  companiesPerWindow: number;
  windowMs: number;
  dailyPerToken: number;
}

function nonNegative(name: string, v: number | null | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (v === null) return 0;
  if (!Number.isFinite(v) || v < 0) throw new Error(`[linkedin-dmp emulator] ${name} must be a number >= 0`);
  return v;
}

export function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const rl = o.rateLimit ?? {};
  const windowMs = nonNegative('rateLimit.windowMs', rl.windowMs, 60_000);
  if (windowMs === 0) throw new Error('[linkedin-dmp emulator] rateLimit.windowMs must be > 0');
  const mode = o.batchValidation ?? 'partial';
  if (mode !== 'partial' && mode !== 'all_or_nothing') {
    throw new Error(`[linkedin-dmp emulator] batchValidation must be 'partial' or 'all_or_nothing'`);
  }
  return {
    segmentReadyDelayMs: nonNegative('segmentReadyDelayMs', o.segmentReadyDelayMs, 5000),
    buildingToReadyMs: nonNegative('buildingToReadyMs', o.buildingToReadyMs, 2000),
    updatingToReadyMs: nonNegative('updatingToReadyMs', o.updatingToReadyMs, 1000),
    batchValidation: mode,
    sunsetVersions: new Set(o.sunsetVersions ?? []),
    seed: o.seed ?? 1,
    usersPerWindow: nonNegative('rateLimit.usersPerWindow', rl.usersPerWindow, 500),
    companiesPerWindow: nonNegative('rateLimit.companiesPerWindow', rl.companiesPerWindow, 300),
    windowMs,
    dailyPerToken: nonNegative('rateLimit.dailyPerToken', rl.dailyPerToken, 0),
  };
}

export function emptyStats(): EmulatorStats {
  return {
    requests: { total: 0 },
    elements: { added: 0, removed: 0, rejected: 0, companyRemoveMismatches: 0 },
    throttled: 0,
    faultsInjected: 0,
  };
}

export interface Env {
  store: Store;
  opts: ResolvedOptions;
  now: () => number;
  stats: EmulatorStats;
  /** Substrings that make an element invalid (fault injection). */
  rejectedSubstrings?: () => string[];
}

/** One API request as handlers see it. */
export interface Ctx {
  req: IncomingMessage;
  /** Effective method (after Rest.li query tunneling). */
  method: string;
  query: RawQuery;
  headers: IncomingHttpHeaders;
  /** The request body (read once; empty for a tunneled query). */
  body(): Promise<Buffer>;
}
