/** One run per segment at a time, proven with real processes: refusal, waiting, dead-holder takeover. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../../core/runner/report.js';
import { type Fixture, fixture, people, usersRequests } from './fixture.js';

let f: Fixture;
afterEach(async () => f?.close());

interface LockRow {
  segment: string;
  pid: number;
}

describe('segment locks', () => {
  it('a lock left by a SIGKILLed run is taken over by the next run', async () => {
    f = await fixture({ pipeline: { destination: { batchSize: 10 } } });
    f.emu.setFaults({ latencyMs: 200, paths: ['/users'] });
    f.write(people(1, 150));
    const run = f.spawn([], f.variant('no-wait.yaml', { lockTimeoutMs: 0 }));
    await f.waitFor(() => usersRequests(f.emu) >= 2, 'member writes');
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    // The dead run's lock is still there, with a long TTL left.
    const held = f.query<LockRow>('SELECT segment, pid FROM locks');
    expect(held).toEqual([{ segment: 'customers', pid: run.child.pid }]);

    f.emu.setFaults({});
    const { r, report } = await f.sync([], f.variant('no-wait.yaml', { lockTimeoutMs: 0 }));
    expect(r.code, r.stderr).toBe(0);
    expect(report!.segments[0]!.replayed.add).toBeGreaterThan(0);
    expect(f.members()).toEqual(f.expected());
    expect(f.query('SELECT * FROM locks')).toEqual([]);
  });

  it('a second run on a busy segment exits with a clear message, or waits for it with lockTimeoutMs', async () => {
    f = await fixture({ pipeline: { destination: { batchSize: 10, concurrency: 1 } } });
    f.write(people(1, 100));
    f.emu.setFaults({ latencyMs: 400, paths: ['/users'] });
    const first = f.spawn();
    await f.waitFor(
      () => f.query<LockRow>('SELECT segment, pid FROM locks').length === 1,
      'the first run to lock',
    );
    const waiting = f.spawn([], f.variant('wait.yaml', { lockTimeoutMs: 60_000 }));

    const refused = await f.sync([], f.variant('no-wait.yaml', { lockTimeoutMs: 0 }));
    expect(refused.r.code).toBe(1);
    expect(refused.r.stderr).toMatch(/segment customers is being synced by another run .*pid \d+/);
    expect(refused.report!.error!.message).toContain('lockTimeoutMs');
    expect(refused.report!.segments[0]!.sent.add).toBe(0);

    const a = await first.done;
    expect(a.code, a.stderr).toBe(0);
    const b = await waiting.done;
    expect(b.code, b.stderr).toBe(0);
    const last = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as RunReport;
    // The waiting run started before the first one finished, so it must have waited for the lock.
    expect(Date.parse(last(b.stdout).startedAt)).toBeLessThan(Date.parse(last(a.stdout).finishedAt));
    expect(last(b.stdout).segments[0]!.planned.unchanged).toBe(100);
    expect(f.members()).toEqual(f.expected());
  });
});
