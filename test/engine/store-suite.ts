/**
 * The StateStore contract, run against every implementation (SQLite, PostgreSQL):
 *
 *   describeStore('SqliteStore', async () => { const path = ...; return { store: new SqliteStore(path), reopen: ... } });
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry, StateStore } from '../../core/engine/store.js';

export interface OpenedStore {
  store: StateStore;
  /** A new store on the same data, as after a crash and restart. */
  reopen: () => Promise<StateStore>;
}

const m = (key: string, payload = `{"k":"${key}"}`, segment = 's1') => ({ segment, key, payload });
const ev = (action: 'ADD' | 'REMOVE', key: string, payload = `{"k":"${key}"}`) => ({
  ...m(key, payload),
  action,
});

export function describeStore(name: string, open: () => Promise<OpenedStore>): void {
  describe(name, () => {
    let store: StateStore;
    let current: OpenedStore;
    beforeEach(async () => {
      current = await open();
      store = current.store;
    });
    afterEach(async () => store.close());

    async function drainAll(runId: string, segment = 's1', ok = true): Promise<JournalEntry[]> {
      const sent: JournalEntry[] = [];
      for (;;) {
        const batch = await store.nextBatch(segment, 0, 1000);
        if (!batch.length) return sent;
        sent.push(...batch);
        await store.complete(
          runId,
          batch.map((entry) => ({ entry, ok, reason: ok ? undefined : 'bad' })),
          1,
        );
      }
    }

    /** What was sent, as ACTION:key:payload sorted; the REMOVEs (first `removes` entries) come first. */
    function sentInOrder(sent: JournalEntry[], removes: number): string[] {
      expect(sent.slice(0, removes).every((e) => e.action === 'REMOVE')).toBe(true);
      return sent.map((e) => `${e.action}:${e.key}:${e.payload}`).sort();
    }

    async function checkpointOf(segment: string): Promise<string[]> {
      const members = [];
      for await (const row of store.checkpointMembers(segment)) members.push(`${row.key}=${row.payload}`);
      return members;
    }

    it('flags duplicate identities within a segment but not across segments', async () => {
      const fresh = await store.stage('r1', [m('a'), m('b'), m('a'), m('a', '{}', 's2')]);
      expect(fresh).toEqual([true, true, false, true]);
    });

    it('diffs staging against the checkpoint: add, remove, change, unchanged', async () => {
      await store.stage('r1', [m('a'), m('b'), m('c')]);
      await store.journalPlan('r1', 's1');
      await drainAll('r1');
      expect(await store.checkpointCount('s1')).toBe(3);

      await store.stage('r2', [m('a'), m('b', '{"k":"b2"}'), m('d')]);
      const d = await store.diff('r2', 's1');
      expect(d).toMatchObject({ add: 1, remove: 1, change: 1, unchanged: 1, staged: 3, checkpoint: 3 });
      expect(await store.journalPlan('r2', 's1')).toEqual({ remove: 2, add: 2 });
      const sent = await drainAll('r2');
      // REMOVEs (gone + old payload of the changed one) strictly before ADDs; within an action the
      // order is the store's own.
      expect(sentInOrder(sent, 2)).toEqual([
        'ADD:b:{"k":"b2"}',
        'ADD:d:{"k":"d"}',
        'REMOVE:b:{"k":"b"}',
        'REMOVE:c:{"k":"c"}',
      ]);
      expect(await checkpointOf('s1')).toEqual(['a={"k":"a"}', 'b={"k":"b2"}', 'd={"k":"d"}']);
    });

    it('events: the last event of an identity wins; members without events stay', async () => {
      await store.stage('r1', [m('a'), m('b'), m('e')]);
      await store.journalPlan('r1', 's1');
      await drainAll('r1');

      const recorded = await store.stage('r2', [
        ev('REMOVE', 'a'),
        ev('ADD', 'b', '{"k":"b2"}'),
        ev('ADD', 'c'),
        ev('REMOVE', 'z'), // never added: nothing to do
        ev('ADD', 'd'),
        ev('REMOVE', 'd'), // added then removed in one run: ends without it
        ev('ADD', 'e'), // unchanged
      ]);
      expect(recorded.every(Boolean)).toBe(true);
      const d = await store.diff('r2', 's1', 'events');
      expect(d).toMatchObject({ add: 1, remove: 1, change: 1, unchanged: 3, staged: 6, checkpoint: 3 });
      expect(await store.journalPlan('r2', 's1', 'events')).toEqual({ remove: 2, add: 2 });
      const sent = await drainAll('r2');
      expect(sentInOrder(sent, 2)).toEqual([
        'ADD:b:{"k":"b2"}',
        'ADD:c:{"k":"c"}',
        'REMOVE:a:{"k":"a"}',
        'REMOVE:b:{"k":"b"}',
      ]);
      expect(await checkpointOf('s1')).toEqual(['b={"k":"b2"}', 'c={"k":"c"}', 'e={"k":"e"}']);

      // A mirror run afterwards diffs against the exact checkpoint the events left.
      await store.stage('r3', [m('b', '{"k":"b2"}'), m('c'), m('f')]);
      expect(await store.diff('r3', 's1')).toMatchObject({ add: 1, remove: 1, change: 0, unchanged: 2 });
    });

    it('events: a later event replaces an earlier one across staging batches', async () => {
      await store.stage('r1', [ev('ADD', 'a', '{"v":1}')]);
      await store.stage('r1', [ev('ADD', 'a', '{"v":2}')]);
      expect(await store.journalPlan('r1', 's1', 'events')).toEqual({ remove: 0, add: 1 });
      const sent = await drainAll('r1');
      expect(sent.map((e) => e.payload)).toEqual(['{"v":2}']);
      await store.stage('r2', [ev('REMOVE', 'a'), ev('ADD', 'a', '{"v":2}')]);
      expect(await store.diff('r2', 's1', 'events')).toMatchObject({ add: 0, remove: 0, unchanged: 1 });
    });

    it('prunes finished journal entries, never pending ones', async () => {
      await store.stage('r1', [m('a'), m('b')]);
      await store.journalPlan('r1', 's1');
      await drainAll('r1');
      await store.stage('r2', [m('a'), m('b'), m('c')]);
      await store.journalPlan('r2', 's1');
      expect(await store.pruneJournal(Number.MAX_SAFE_INTEGER)).toBe(2);
      expect(await store.pendingCounts('s1')).toEqual({ add: 1, remove: 0 });
    });

    it('returns batches of a single action', async () => {
      await store.stage('r1', [m('a'), m('b')]);
      await store.journalPlan('r1', 's1');
      await drainAll('r1');
      await store.stage('r2', [m('c')]);
      await store.journalPlan('r2', 's1');
      const first = await store.nextBatch('s1', 0, 100);
      expect(first.map((e) => e.action)).toEqual(['REMOVE', 'REMOVE']);
      const second = await store.nextBatch('s1', first[1]!.id, 100);
      expect(second.map((e) => e.action)).toEqual(['ADD']);
    });

    it('keeps rejected elements out of the checkpoint and records them', async () => {
      await store.stage('r1', [m('a')]);
      await store.journalPlan('r1', 's1');
      await drainAll('r1', 's1', false);
      expect(await store.checkpointCount('s1')).toBe(0);
      expect(await store.pendingCounts('s1')).toEqual({ add: 0, remove: 0 });
    });

    it('keeps pending journal entries across a reopen (crash) and resets a lost segment', async () => {
      await store.stage('r1', [m('a'), m('b')]);
      await store.journalPlan('r1', 's1');
      await store.close();
      store = await current.reopen();
      expect(await store.pendingCounts('s1')).toEqual({ add: 2, remove: 0 });
      const reset = await store.resetSegment('s1');
      expect(reset.journalDropped).toBe(2);
      expect(await store.pendingCounts('s1')).toEqual({ add: 0, remove: 0 });
    });

    it('a REMOVE only deletes the payload it carried', async () => {
      await store.stage('r1', [m('a')]);
      await store.journalPlan('r1', 's1');
      await drainAll('r1');
      const entry: JournalEntry = {
        id: 999,
        segment: 's1',
        action: 'REMOVE',
        key: 'a',
        payload: '{"other":1}',
      };
      await store.complete('r2', [{ entry, ok: true }], 2);
      expect(await store.checkpointCount('s1')).toBe(1);
    });

    it('locks: refuses a live holder, takes over an expired one or a dead process', async () => {
      const me = { id: 'run-a', host: hostname(), pid: process.pid };
      expect(await store.acquireLock('s1', me, 1000, 0)).toBeNull();
      const other = { id: 'run-b', host: hostname(), pid: process.pid };
      expect(await store.acquireLock('s1', other, 1000, 10)).toMatchObject({ owner: 'run-a' });
      expect(await store.acquireLock('s1', other, 1000, 5000)).toBeNull(); // expired
      // A holder whose process is gone is taken over before its lease ends.
      const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
      await store.releaseLocks(['s1'], 'run-b');
      expect(
        await store.acquireLock('s1', { id: 'run-c', host: hostname(), pid: dead }, 60_000, 0),
      ).toBeNull();
      expect(await store.acquireLock('s1', me, 1000, 1)).toBeNull();
    });

    it('stages large batches in input order, duplicates flagged inside one batch', async () => {
      const many = Array.from({ length: 25_000 }, (_, i) => m(`k${i % 20_000}`));
      const fresh = await store.stage('r1', many);
      expect(fresh.filter(Boolean)).toHaveLength(20_000);
      expect(fresh.slice(0, 20_000).every(Boolean)).toBe(true);
      expect(fresh.slice(20_000).some(Boolean)).toBe(false);
      expect((await store.diff('r1', 's1')).add).toBe(20_000);
    });

    it('keeps segment records and run rows', async () => {
      expect(await store.getSegment('s1')).toBeNull();
      await store.startRun('r1', { mode: 'diff', startedAt: 5 });
      await store.saveSegment('s1', { remoteId: 'urn:1', lastRunAt: 7 });
      await store.saveSegment('s1', { lastRunId: 'r1', lastRunStatus: 'ok' });
      await store.finishRun('r1', 'ok', { n: 1 });
      expect(await store.getSegment('s1')).toEqual({
        key: 's1',
        remoteId: 'urn:1',
        lastRunId: 'r1',
        lastRunAt: 7,
        lastRunStatus: 'ok',
      });
    });
  });
}
