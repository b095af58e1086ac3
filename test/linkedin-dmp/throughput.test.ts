import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../connectors/linkedin-dmp/destination.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { silentLogger } from '../../core/log.js';
import type { Member, SegmentSpec } from '../../core/plugin.js';
import { testConfig, user } from './helpers.js';

// Same limits and window on both sides; the emulator counts fixed windows aligned to its clock.
const LIMITS = { usersPerWindow: 15, companiesPerWindow: 6, windowMs: 300 };
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ segmentReadyDelayMs: 0, rateLimit: LIMITS });
});
afterAll(async () => {
  await emu?.close();
});

describe('client-side rate limiter against the emulator', () => {
  it('sends 3+ windows of concurrent traffic on two families with zero 429s', async () => {
    const cfg = testConfig(emu, {
      segments: [
        { sourceSegmentId: 'u', name: 'u' },
        { sourceSegmentId: 'c', name: 'c', type: 'COMPANY' },
      ],
      rateLimits: {
        usersPerMinute: LIMITS.usersPerWindow,
        companiesPerMinute: LIMITS.companiesPerWindow,
        windowMs: LIMITS.windowMs,
      },
      concurrency: 8,
    });
    // Two sessions on the same token share one limiter, as two pipelines in one process would.
    const a = openSession(cfg, { logger: silentLogger() });
    const b = openSession(cfg, { logger: silentLogger() });
    const u = (await a.resolveSegment({ key: 'u', name: 'u', type: 'USER' }, { create: true }))!;
    const c = (await b.resolveSegment({ key: 'c', name: 'c', type: 'COMPANY' } satisfies SegmentSpec, {
      create: true,
    }))!;
    const one = (i: number): Member[] => [{ key: `u${i}`, payload: user(i) }];
    const company = (i: number): Member[] => [{ key: `c${i}`, payload: { companyName: `Company ${i}` } }];
    const sends = [
      ...Array.from({ length: 25 }, (_, i) => a.sendBatch(u, 'ADD', one(i))),
      ...Array.from({ length: 25 }, (_, i) => b.sendBatch(u, 'ADD', one(100 + i))),
      ...Array.from({ length: 20 }, (_, i) => a.sendBatch(c, 'ADD', company(i))),
    ];
    const results = (await Promise.all(sends)).flat();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(emu.stats().throttled).toBe(0);
    expect(a.stats().throttled + b.stats().throttled).toBe(0);
    expect(emu.members(u.remoteId)).toHaveLength(50);
    expect(emu.members(c.remoteId)).toHaveLength(20);
  });

  it('estimates time under the configured limit', () => {
    const s = openSession(testConfig(emu), { logger: silentLogger() });
    expect(s.estimate({ key: 'x', name: 'x', type: 'USER' }, 1000)).toEqual({ seconds: 120 });
    expect(s.estimate({ key: 'x', name: 'x', type: 'COMPANY' }, 100)).toEqual({ seconds: 30 });
  });
});
