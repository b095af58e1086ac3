/**
 * The kill test: for many seeds, real `dmpsync sync` processes against the emulator with faults on
 * are SIGKILLed at seeded moments while the source changes between runs; a clean run must then
 * leave the emulator's membership exactly equal to the final source, with no journal entry left
 * unaccounted for. TEST_SEEDS raises the number of seeds (see test/scripts/soak.ts).
 */
import { describe, expect, it } from 'vitest';
import { runSeed, type SeedResult } from './harness.js';

const SEEDS = Number(process.env.TEST_SEEDS ?? 20);
const PARALLEL = 3;
// CLI start-up costs about a second of CPU: CI kills one run per seed, and two (with a source change
// between them, so removed members come back) for every fourth seed. The soak script goes further.
const killedRuns = (seed: number) => Number(process.env.TEST_KILLED_RUNS ?? (seed % 4 === 0 ? 2 : 1));

describe('SIGKILL at random moments, source changing between runs', () => {
  it(`for ${SEEDS} seeds the final membership equals the final source`, { timeout: 600_000 }, async () => {
    const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
    const results: SeedResult[] = [];
    const queue = [...seeds];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let s = queue.shift(); s !== undefined; s = queue.shift())
          // Every third seed starts from a row cache and checks the run after the clean one uses it.
          results.push(
            await runSeed({ seed: s, killedRuns: killedRuns(s), pool: 200, rowCache: s % 3 === 0 }),
          );
      }),
    );
    for (const r of results.sort((a, b) => a.seed - b.seed)) {
      const where = `seed ${r.seed}`;
      expect(r.finalExit, where).toBe(0);
      expect(r.actual, where).toEqual(r.expected);
      expect(r.titleMismatches, where).toBe(0);
      // The COMPANY segment converges too, every REMOVE carrying the exact metadata of its ADD.
      expect(r.companies.actual, where).toEqual(r.companies.expected);
      expect(r.companies.removeMismatches, where).toBe(0);
      expect(r.companies.expected.length, where).toBeGreaterThan(0);
      expect(r.titlesChecked, where).toBe(r.expected.customers!.length + r.expected.trials!.length);
      // Every journal entry of every run (killed ones included) ended acked, rejected or dropped.
      expect(r.journal.pending, where).toBe(0);
      expect(
        Object.keys(r.journal.byStatus).every((s) => ['acked', 'rejected', 'dropped'].includes(s)),
        where,
      ).toBe(true);
      // Runs that finished on their own wrote a report whose rows balance.
      for (const run of r.runs.filter((x) => x.outcome === 'completed'))
        expect(run.balanced, where).toBe(true);
      expect(r.leaks, where).toEqual([]);
      if (r.rowCache) {
        // The clean run left a cache; the next run with the same source answers every row from it
        // and sends nothing (the membership checked above is after that run).
        expect(r.rowCache.final?.recorded, where).toBeGreaterThan(0);
        expect(r.rowCache.after, where).toMatchObject({ used: true });
        expect(r.rowCache.after?.hits, where).toBe(r.rowCache.final?.recorded);
        expect(r.rowCache.afterSent, where).toBe(0);
      }
    }
    expect(results.filter((r) => r.rowCache).length).toBeGreaterThan(0);
    // The test must actually have interrupted runs mid-send and replayed their leftovers.
    const killed = results.flatMap((r) => r.runs).filter((x) => x.outcome === 'killed').length;
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(SEEDS / 2));
    expect(results.reduce((a, r) => a + r.journal.replayedFromKilled, 0)).toBeGreaterThan(0);
    expect(results.reduce((a, r) => a + r.faultsInjected, 0)).toBeGreaterThan(0);
  });
});
