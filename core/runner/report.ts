/** The JSON run report: one per run, per segment figures plus row accounting (docs/run-report.md). */
import type { DiffCounts } from '../engine/store.js';
import type { FailureType } from '../errors.js';
import type { RejectedRow, RowCounts } from './accounting.js';

export type RunStatus = 'succeeded' | 'completed_with_rejections' | 'failed' | 'refused' | 'interrupted';

export interface SegmentReport {
  key: string;
  name: string;
  type: 'USER' | 'COMPANY';
  remoteId: string | null;
  created: boolean;
  destinationStatus: string | null;
  /** True when the remote membership was found gone (EXPIRED / deleted) and everything is resent. */
  membershipReset: boolean;
  /** Unfinished journal entries of an earlier run, replayed before planning. */
  replayed: { add: number; remove: number };
  staged: number;
  duplicates: number;
  planned: Pick<DiffCounts, 'add' | 'remove' | 'change' | 'unchanged'> & { checkpointBefore: number };
  sent: { add: number; remove: number };
  acknowledged: { add: number; remove: number };
  rejected: { count: number; byReason: Record<string, number> };
  requests: number;
  retries: number;
  throttled: number;
  batches: number;
  /** Estimated time the plan needs under the rate limit, seconds. */
  estimatedSeconds: number;
  durationMs: number;
  checkpointAfter: number | null;
  /** Why the plan was refused by a guardrail, when it was. */
  refused?: string;
  warnings: string[];
}

export interface RunReport {
  runId: string;
  pipeline: string | null;
  mode: string;
  dryRun: boolean;
  status: RunStatus;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  rows: RowCounts & { balanced: boolean };
  rejectedSamples: RejectedRow[];
  /**
   * The row cache (mirror mode, SQLite store): rows that skipped the transforms because they are
   * unchanged since the last complete run. `used` false says why (`unused`); `recorded` is what this
   * run left for the next one (0 when it did not finish cleanly). docs/checkpoint.md#the-row-cache.
   */
  rowCache: { used: boolean; hits: number; unused?: string; recorded: number } | null;
  segments: SegmentReport[];
  totals: {
    requests: number;
    retries: number;
    throttled: number;
    sent: number;
    acknowledged: number;
    rejected: number;
  };
  error?: { message: string; failureType: FailureType };
}

export function emptySegmentReport(spec: {
  key: string;
  name: string;
  type: 'USER' | 'COMPANY';
}): SegmentReport {
  return {
    ...spec,
    remoteId: null,
    created: false,
    destinationStatus: null,
    membershipReset: false,
    replayed: { add: 0, remove: 0 },
    staged: 0,
    duplicates: 0,
    planned: { add: 0, remove: 0, change: 0, unchanged: 0, checkpointBefore: 0 },
    sent: { add: 0, remove: 0 },
    acknowledged: { add: 0, remove: 0 },
    rejected: { count: 0, byReason: {} },
    requests: 0,
    retries: 0,
    throttled: 0,
    batches: 0,
    estimatedSeconds: 0,
    durationMs: 0,
    checkpointAfter: null,
    warnings: [],
  };
}
