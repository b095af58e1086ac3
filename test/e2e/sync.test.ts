/**
 * End to end: the real `dmpsync` process against the emulator over HTTP. Membership is checked
 * at the emulator (what LinkedIn would hold), traffic by the emulator's own counters.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import {
  emailHashes,
  expectedHashes,
  type Person,
  parseReport,
  runCli,
  tempDir,
  writeAudience,
  writePipeline,
} from './helpers.js';

const ROUTES = { customers: 'customer', trials: 'trial' } as const;

function audience(n: number): Person[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    segments: i % 3 === 0 ? ['customer', 'trial'] : i % 3 === 1 ? ['customer'] : ['trial'],
  }));
}

describe('dmpsync sync against the emulator', () => {
  let emu: Emulator;
  let dir: string;
  let pipeline: string;
  const csv = () => join(dir, 'audience.csv');
  const segId = (key: string) => emu.segments().find((s) => s.sourceSegmentId === key)!.id;
  const usersRequests = () =>
    Object.entries(emu.stats().requests)
      .filter(([k]) => k.includes('/users'))
      .reduce((a, [, n]) => a + n, 0);
  const sync = async (...flags: string[]) => {
    const r = await runCli(['sync', '--config', pipeline, '--json', ...flags]);
    const report = parseReport(r);
    expect(report.rows.balanced).toBe(true);
    return { r, report };
  };

  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 300, buildingToReadyMs: 100 });
    dir = tempDir();
    pipeline = writePipeline(dir, { restUrl: emu.restUrl, csv: './audience.csv' });
  });
  afterAll(async () => emu.close());

  let people = audience(3000);

  it('first sync makes each segment equal the expected hashed set', async () => {
    writeAudience(csv(), people);
    const { r, report } = await sync();
    expect(r.code, r.stderr).toBe(0);
    for (const [key, route] of Object.entries(ROUTES)) {
      expect(emailHashes(emu.members(segId(key)))).toEqual(expectedHashes(people, route));
    }
    expect(report.rows).toMatchObject({ read: 3000, emitted: 3000, rejected: 0, duplicate: 0 });
    // Raw emails never leave the process: nothing at LinkedIn contains one.
    for (const key of Object.keys(ROUTES)) expect(JSON.stringify(emu.members(segId(key)))).not.toContain('@');
    expect(emu.stats().elements.rejected).toBe(0);
  });

  it('a second sync after 5% churn sends exactly the churn', async () => {
    const removed = people.filter((p) => p.id % 40 === 0); // 2.5% leave
    const added: Person[] = Array.from({ length: 75 }, (_, i) => ({
      id: 10_000 + i,
      segments: ['customer'],
    })); // 2.5% join
    people = [...people.filter((p) => p.id % 40 !== 0), ...added];
    writeAudience(csv(), people);
    emu.resetStats();
    const { r, report } = await sync();
    expect(r.code, r.stderr).toBe(0);
    const removedElements = removed.reduce((a, p) => a + p.segments.length, 0);
    expect(emu.stats().elements).toMatchObject({ added: 75, removed: removedElements, rejected: 0 });
    // One request per action per segment that has that action, nothing else.
    expect(usersRequests()).toBe(3); // customers: REMOVE + ADD; trials: REMOVE
    expect(report.totals.acknowledged).toBe(75 + removedElements);
    for (const [key, route] of Object.entries(ROUTES)) {
      expect(emailHashes(emu.members(segId(key)))).toEqual(expectedHashes(people, route));
    }
  });

  it('a third sync with no change sends nothing', async () => {
    emu.resetStats();
    const { r, report } = await sync();
    expect(r.code).toBe(0);
    expect(usersRequests()).toBe(0);
    expect(report.totals.sent).toBe(0);
    expect(report.segments.every((s) => s.planned.add === 0 && s.planned.remove === 0)).toBe(true);
  });

  it('a changed title is sent as REMOVE of the old payload then ADD of the new one', async () => {
    const target = people.find((p) => p.segments.length === 1 && p.segments[0] === 'customer')!;
    target.title = 'Chief Data Officer';
    writeAudience(csv(), people);
    emu.resetStats();
    const { r, report } = await sync();
    expect(r.code).toBe(0);
    const seg = report.segments.find((s) => s.key === 'customers')!;
    expect(seg.planned).toMatchObject({ add: 0, remove: 0, change: 1 });
    expect(seg.sent).toEqual({ add: 1, remove: 1 });
    expect(emu.stats().elements).toMatchObject({ added: 1, removed: 1 });
    const member = emu
      .members(segId('customers'))
      .find((m) => (m as { title?: string }).title === 'Chief Data Officer');
    expect(member).toBeDefined();
  });

  it('plan is a dry run: per-segment counts, nothing sent', async () => {
    people = people.slice(0, people.length - 30);
    writeAudience(csv(), people);
    emu.resetStats();
    const r = await runCli(['plan', '--config', pipeline]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PLAN (dry run');
    expect(r.stdout).toMatch(/customers\s+USER\s+\d+\s+[\d,]+\s+0\s+\d+/);
    expect(usersRequests()).toBe(0);
    expect(emu.stats().requests.total ?? 0).toBeLessThan(10); // segment look-ups only
  });

  it('5xx bursts, 429s and connection resets lose nothing', async () => {
    people = [...people, ...Array.from({ length: 40 }, (_, i) => ({ id: 20_000 + i, segments: ['trial'] }))];
    writeAudience(csv(), people);
    emu.setFaults({
      error5xx: { count: 2 },
      throttle429: { count: 1 },
      resetAfterApply: { count: 1 },
      resetBeforeApply: { count: 1 },
    });
    const { r, report } = await sync();
    emu.setFaults({});
    expect(r.code, r.stderr).toBe(0);
    expect(report.totals.retries).toBeGreaterThan(0);
    for (const [key, route] of Object.entries(ROUTES)) {
      expect(emailHashes(emu.members(segId(key)))).toEqual(expectedHashes(people, route));
    }
  });

  it('rejects bad rows with their row number and reason, and exits 3', async () => {
    writeAudience(csv(), people, [
      'not-an-email,,,Engineer,customer',
      'bad@,First,,Engineer,trial',
      'x@y.z,,,,nowhere',
    ]);
    const { r, report } = await sync('--rejects', join(dir, 'rejects.ndjson'));
    expect(r.code).toBe(3);
    expect(report.rows.rejected).toBe(3);
    expect(report.rejectedSamples.map((s) => s.row)).toEqual([
      people.length + 1,
      people.length + 2,
      people.length + 3,
    ]);
    const text = JSON.stringify(report) + r.stdout + r.stderr;
    expect(text).not.toContain('not-an-email');
    expect(text).not.toContain('x@y.z');
  });
});

describe('an element LinkedIn rejects', () => {
  it('is rejected with its reason while the rest of its batch lands', async () => {
    const emu = await startEmulator({ segmentReadyDelayMs: 0 });
    try {
      const dir = tempDir();
      const people: Person[] = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, segments: ['customer'] }));
      writeAudience(join(dir, 'audience.csv'), people);
      const pipeline = writePipeline(dir, { restUrl: emu.restUrl, csv: './audience.csv' });
      emu.setFaults({ rejectElements: { containing: ['First7"'] } });
      const r = await runCli(['sync', '--config', pipeline, '--json']);
      const report = parseReport(r);
      expect(r.code).toBe(3);
      const seg = report.segments.find((s) => s.key === 'customers')!;
      expect(seg.acknowledged.add).toBe(49);
      expect(seg.rejected.count).toBe(1);
      expect(Object.keys(seg.rejected.byReason).join()).toContain('rejected by fault injection');
      const id = emu.segments().find((s) => s.sourceSegmentId === 'customers')!.id;
      expect(emu.members(id)).toHaveLength(49);
      expect(seg.checkpointAfter).toBe(49);
    } finally {
      await emu.close();
    }
  });
});
