/**
 * Worker-thread side of the SQLite store's staging: its own connection to the same database file,
 * with its own private `tmp` and `mem` databases, serving classify / keep / diff / journalPlan / clear
 * calls in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite-open.js';
import { type PrintedBatch, SqliteStaging } from './sqlite-staging.js';

export interface StageCall {
  id: number;
  op:
    | 'classify'
    | 'keep'
    | 'diff'
    | 'journalPlan'
    | 'clear'
    | 'recordCache'
    | 'commitCache'
    | 'writeBack'
    | 'close';
  args: unknown[];
}

export type StageReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string };

const port = parentPort!;
// The checkpoint's fingerprint index (about 45 bytes a member) is probed at random while staging.
const db = openSqlite((workerData as { path: string }).path, 64);
const staging = new SqliteStaging(db);
const ops: Record<StageCall['op'], (...a: never[]) => unknown> = {
  classify: (runId: string, batch: PrintedBatch) => staging.classify(runId, batch),
  keep: (runId: string, rows: string[]) => staging.keep(runId, rows),
  diff: (runId: string, segment: string, mode: 'mirror' | 'events') => staging.diff(runId, segment, mode),
  journalPlan: (runId: string, segment: string, mode: 'mirror' | 'events') =>
    staging.journalPlan(runId, segment, mode),
  clear: (runId: string) => staging.clear(runId),
  recordCache: (runId: string, path: string, config: string) => staging.recordCache(runId, path, config),
  commitCache: (runId: string) => staging.commitCache(runId),
  writeBack: () => db.pragma('wal_checkpoint(PASSIVE)'),
  close: () => db.close(),
};

port.on('message', (call: StageCall) => {
  let reply: StageReply;
  try {
    reply = { id: call.id, ok: true, value: ops[call.op](...(call.args as never[])) };
  } catch (err) {
    reply = { id: call.id, ok: false, message: (err as Error).message ?? String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies StageReply);
