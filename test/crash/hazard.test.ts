/**
 * Crash recovery with real processes: the classic "REMOVE applied, never recorded" hazard, and a
 * SIGTERM mid-run that must leave the journal consistent for the next run to finish.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../../core/runner/report.js';
import { emailOf, sha256 } from '../e2e/helpers.js';
import { type Fixture, fixture, people, usersRequests } from './fixture.js';

let f: Fixture;
afterEach(async () => f?.close());

const hashOf = (id: number) => sha256(emailOf(id));

describe('crash recovery', () => {
  it('a REMOVE applied at LinkedIn but never recorded is replayed before a re-add: the member ends present', async () => {
    f = await fixture({
      pipeline: { destination: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } } },
    });
    f.write(people(1, 60));
    expect((await f.sync()).r.code).toBe(0);
    const seven = hashOf(7);
    expect(f.members()).toContain(seven);

    // Member 7 leaves the source; LinkedIn applies every REMOVE but the answers never arrive.
    f.write(people(1, 60).filter((p) => p.id !== 7));
    f.emu.setFaults({ resetAfterApply: { count: 1000 }, paths: ['/users'] });
    const failed = await f.sync();
    expect(failed.r.code).toBe(1);
    expect(f.members()).not.toContain(seven); // applied remotely...
    const pending = f.query<{ action: string; n: number }>(
      `SELECT action, COUNT(*) AS n FROM journal WHERE status = 'pending' GROUP BY action`,
    );
    expect(pending).toEqual([{ action: 'REMOVE', n: 1 }]); // ...but not recorded locally
    expect(f.query<{ n: number }>('SELECT COUNT(*) AS n FROM checkpoint')[0]!.n).toBe(60);

    // Member 7 is back in the source for the next run.
    f.emu.setFaults({});
    f.write(people(1, 60));
    const { r, report } = await f.sync();
    expect(r.code, r.stderr).toBe(0);
    expect(report!.segments[0]!.replayed).toEqual({ add: 0, remove: 1 });
    expect(report!.segments[0]!.planned.add).toBe(1);
    expect(f.members()).toContain(seven);
    expect(f.members()).toEqual(f.expected());
  });

  it('SIGTERM mid-run: in-flight batches finish, exit 130, the next run completes the rest', async () => {
    f = await fixture({ pipeline: { destination: { batchSize: 10, concurrency: 2 } } });
    f.emu.setFaults({ latencyMs: 150, paths: ['/users'] });
    f.write(people(1, 200));
    const run = f.spawn();
    await f.waitFor(() => usersRequests(f.emu) >= 3, 'member writes');
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGTERM received');
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as RunReport;
    expect(report.status).toBe('interrupted');
    expect(report.exitCode).toBe(130);
    // Consistent journal: what was acknowledged is exactly the checkpoint, the rest is pending.
    const count = (sql: string) => f.query<{ n: number }>(sql)[0]!.n;
    const acked = count(`SELECT COUNT(*) AS n FROM journal WHERE status = 'acked'`);
    const pending = count(`SELECT COUNT(*) AS n FROM journal WHERE status = 'pending'`);
    const ckpt = count('SELECT COUNT(*) AS n FROM checkpoint');
    expect(acked).toBe(ckpt);
    expect(acked + pending).toBe(200);
    expect(pending).toBeGreaterThan(0);
    expect(f.members().length).toBe(acked);
    expect(f.query('SELECT * FROM locks')).toEqual([]);

    f.emu.setFaults({});
    const next = await f.sync();
    expect(next.r.code, next.r.stderr).toBe(0);
    expect(next.report!.segments[0]!.replayed.add).toBe(pending);
    expect(f.members()).toEqual(f.expected());
  });
});
