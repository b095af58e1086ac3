import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, sharedRateLimiter } from '../../connectors/linkedin-dmp/ratelimit.js';

// Simulated time (vitest fake timers drive both Date.now and setTimeout): no real waiting.
describe('RateLimiter (sliding window log, slot held until one window after the response)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants up to the limit at once, then only one window after a response', async () => {
    const rl = new RateLimiter({ usersPerWindow: 3, companiesPerWindow: 1, windowMs: 1000 });
    const granted: number[] = [];
    const releases = await Promise.all([0, 1, 2].map(() => rl.acquire('users')));
    const fourth = rl.acquire('users').then((r) => {
      granted.push(Date.now());
      return r;
    });
    await vi.advanceTimersByTimeAsync(100);
    releases[0]?.(); // response of the first request arrives at +100
    await vi.advanceTimersByTimeAsync(999);
    expect(granted).toEqual([]); // still inside the window of the first request
    await vi.advanceTimersByTimeAsync(2);
    expect(granted).toEqual([1_000_000 + 1100]);
    (await fourth)();
  });

  it('an in-flight request holds its slot however long it takes', async () => {
    const rl = new RateLimiter({ usersPerWindow: 1, companiesPerWindow: 1, windowMs: 100 });
    const first = await rl.acquire('users');
    let second = false;
    void rl.acquire('users').then(() => {
      second = true;
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(second).toBe(false);
    first();
    await vi.advanceTimersByTimeAsync(101);
    expect(second).toBe(true);
  });

  it('keeps families apart and honours a pause after a server 429', async () => {
    const rl = new RateLimiter({ usersPerWindow: 1, companiesPerWindow: 5, windowMs: 100 });
    (await rl.acquire('users'))();
    rl.pause('companies', Date.now() + 500);
    let company = false;
    void rl.acquire('companies').then(() => {
      company = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(company).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(company).toBe(true);
  });

  it('never has more than N slots in any window over a long run', async () => {
    const rl = new RateLimiter({ usersPerWindow: 4, companiesPerWindow: 1, windowMs: 200 });
    const grants: number[] = [];
    const run = Array.from({ length: 30 }, async () => {
      const release = await rl.acquire('users');
      grants.push(Date.now());
      setTimeout(release, 7); // simulated response latency
    });
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(run);
    expect(grants).toHaveLength(30);
    for (const t of grants) expect(grants.filter((u) => u >= t && u < t + 200).length).toBeLessThanOrEqual(4);
    // And it uses the budget: 30 requests at 4 per ~207 ms.
    expect(grants.at(-1)! - grants[0]!).toBeLessThan(8 * 207 + 50);
  });

  it('abandons a wait when the signal aborts', async () => {
    const rl = new RateLimiter({ usersPerWindow: 1, companiesPerWindow: 1, windowMs: 1000 });
    await rl.acquire('users');
    const ac = new AbortController();
    const waiting = rl.acquire('users', ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('estimates seconds at the sustained limit and shares one limiter per token', () => {
    const limits = { usersPerWindow: 500, companiesPerWindow: 200, windowMs: 60_000 };
    const rl = sharedRateLimiter('id-a', limits);
    expect(rl.estimateSeconds('users', 1000)).toBe(120);
    expect(rl.estimateSeconds('companies', 100)).toBe(30);
    expect(sharedRateLimiter('id-a', limits)).toBe(rl);
    expect(sharedRateLimiter('id-b', limits)).not.toBe(rl);
  });
});
