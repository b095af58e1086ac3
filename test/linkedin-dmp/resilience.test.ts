import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LinkedInDmpConfigInput } from '../../connectors/linkedin-dmp/config.js';
import { openSession } from '../../connectors/linkedin-dmp/destination.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ConfigError, InterruptedError, TransientError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Member, SegmentSpec } from '../../core/plugin.js';
import { testConfig, user } from './helpers.js';

const WINDOW = 400;
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    segmentReadyDelayMs: 0,
    sunsetVersions: ['202301'],
    rateLimit: { usersPerWindow: 1000, companiesPerWindow: 1000, windowMs: WINDOW },
  });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.setFaults({});
});

let n = 0;
const members = (count: number): Member[] =>
  Array.from({ length: count }, () => {
    n++;
    return { key: `m${n}`, payload: user(n) };
  });

async function open(key: string, extra: Partial<LinkedInDmpConfigInput> = {}) {
  const s = openSession(
    testConfig(emu, {
      segments: [{ sourceSegmentId: key, name: key }],
      rateLimits: { usersPerMinute: 1000, companiesPerMinute: 1000, windowMs: WINDOW },
      ...extra,
    }),
    { logger: silentLogger() },
  );
  const spec: SegmentSpec = { key, name: key, type: 'USER' };
  return { s, seg: (await s.resolveSegment(spec, { create: true }))! };
}

describe('retries against injected faults', () => {
  it('waits out per-minute 429s (short window) and loses nothing', async () => {
    const { s, seg } = await open('t429');
    emu.setFaults({ throttle429: { count: 2 } });
    const r = await s.sendBatch(seg, 'ADD', members(5));
    expect(r.every((x) => x.ok)).toBe(true);
    expect(s.stats()).toMatchObject({ throttled: 2, retries: 2 });
    expect(emu.members(seg.remoteId)).toHaveLength(5);
  });

  it('backs off on daily-quota 429s', async () => {
    const { s, seg } = await open('tday', {
      retry: {
        maxAttempts: 6,
        baseDelayMs: 5,
        maxDelayMs: 40,
        dailyThrottleBaseMs: 10,
        dailyThrottleMaxMs: 50,
      },
    });
    emu.setFaults({ throttle429: { count: 3, daily: true } });
    const r = await s.sendBatch(seg, 'ADD', members(4));
    expect(r.every((x) => x.ok)).toBe(true);
    expect(s.stats().throttled).toBe(3);
  });

  it('survives a 5xx burst and connection resets before and after apply, exactly once in effect', async () => {
    // Six faults in a row hit the first batch: allow more attempts than that.
    const { s, seg } = await open('resets', { retry: { maxAttempts: 8, baseDelayMs: 2, maxDelayMs: 20 } });
    emu.setFaults({
      error5xx: { count: 2, status: 503 },
      resetBeforeApply: { count: 2 },
      resetAfterApply: { count: 2 },
    });
    const batches = [members(50), members(50), members(50)];
    for (const b of batches) expect((await s.sendBatch(seg, 'ADD', b)).every((x) => x.ok)).toBe(true);
    expect(emu.members(seg.remoteId)).toHaveLength(150);
    expect(s.stats().retries).toBeGreaterThanOrEqual(6);
    expect(emu.stats().faultsInjected).toBeGreaterThanOrEqual(6);
  });

  it('keeps delivering under random faults with concurrent batches', async () => {
    const { s, seg } = await open('random', { retry: { maxAttempts: 12, baseDelayMs: 2, maxDelayMs: 20 } });
    emu.setFaults({
      error5xx: { rate: 0.15 },
      resetBeforeApply: { rate: 0.05 },
      resetAfterApply: { rate: 0.05 },
    });
    const batches = Array.from({ length: 30 }, () => members(20));
    const results = await Promise.all(batches.map((b) => s.sendBatch(seg, 'ADD', b)));
    expect(results.flat().every((x) => x.ok)).toBe(true);
    emu.setFaults({});
    const removed = await s.sendBatch(seg, 'REMOVE', batches[0]!);
    expect(removed.every((x) => x.ok)).toBe(true);
    expect(emu.members(seg.remoteId)).toHaveLength(29 * 20);
  });

  it('gives up after maxAttempts with a clear TransientError', async () => {
    const { s, seg } = await open('exhaust', { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const before = s.stats().requests;
    emu.setFaults({ error5xx: { count: 100, status: 502 } });
    const err = await s.sendBatch(seg, 'ADD', members(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(
      /gave up after 3 attempts: LinkedIn answered 502 to POST \/dmpSegments\/\d+\/users/,
    );
    expect(s.stats().requests - before).toBe(3);
  });

  it('times out a stalled request and reports it as transient', async () => {
    const { s, seg } = await open('slow', {
      requestTimeoutMs: 50,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
    emu.setFaults({ latencyMs: 300 });
    const err = await s.sendBatch(seg, 'ADD', members(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/timed out/);
  });

  it('SIGTERM (the abort signal) ends a retry wait with an InterruptedError', async () => {
    const { seg } = await open('abort');
    const ac = new AbortController();
    const cfg = testConfig(emu, {
      segments: [{ sourceSegmentId: 'abort', name: 'abort' }],
      retry: { maxAttempts: 6, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const s = openSession(cfg, { logger: silentLogger(), signal: ac.signal });
    emu.setFaults({ error5xx: { count: 1 } });
    const pending = s.sendBatch(seg, 'ADD', members(1)).catch((e: unknown) => e);
    while (s.stats().retries === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(await pending).toBeInstanceOf(InterruptedError);
  });

  it('a sunset LinkedIn-Version is a ConfigError naming linkedinVersion; overriding it works', async () => {
    const err = await open('sunset', { linkedinVersion: '202301' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('linkedinVersion');
    const { seg } = await open('sunset', { linkedinVersion: '202611' });
    expect(seg.remoteId).toMatch(/^\d+$/);
  });
});
