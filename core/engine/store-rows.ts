/**
 * Row shapes and decisions shared by the SQLite and PostgreSQL stores. PostgreSQL returns BIGINT
 * columns as strings, SQLite as numbers: both go through Number() here.
 */
import { isProcessAlive } from './process.js';
import type { LockInfo, SegmentRecord } from './store.js';

type Int = number | string;

export interface LockRow {
  segment: string;
  owner: string;
  host: string;
  pid: Int;
  heartbeat_at: Int;
  expires_at: Int;
}

export interface SegmentRow {
  segment: string;
  remote_id: string | null;
  last_run_id: string | null;
  last_run_at: Int | null;
  last_run_status: string | null;
}

export function toLockInfo(r: LockRow): LockInfo {
  return {
    segment: r.segment,
    owner: r.owner,
    host: r.host,
    pid: Number(r.pid),
    heartbeatAt: Number(r.heartbeat_at),
    expiresAt: Number(r.expires_at),
  };
}

export function toSegmentRecord(r: SegmentRow): SegmentRecord {
  return {
    key: r.segment,
    remoteId: r.remote_id,
    lastRunId: r.last_run_id,
    lastRunAt: r.last_run_at === null ? null : Number(r.last_run_at),
    lastRunStatus: r.last_run_status,
  };
}

/**
 * The holder that keeps `owner` out of a segment, or null when the lock may be taken: it is free,
 * already ours, expired, or held by a process on this host that no longer exists.
 */
export function blockingHolder(
  held: LockRow | undefined,
  owner: { id: string; host: string },
  now: number,
): LockInfo | null {
  if (!held || held.owner === owner.id) return null;
  const info = toLockInfo(held);
  const dead = info.host === owner.host && !isProcessAlive(info.pid);
  return info.expiresAt > now && !dead ? info : null;
}
