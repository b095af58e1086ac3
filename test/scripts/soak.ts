/**
 * Soak variant of the kill test (`npm run soak`): more seeds, more killed runs per seed, bigger
 * audiences; prints its figures as one JSON line and exits 1 if any seed ends wrong.
 * TEST_SEEDS (default 100), SOAK_KILLED_RUNS (default 4), SOAK_POOL (default 1000), SOAK_PARALLEL (default 4).
 */
import { runSeed, type SeedResult } from '../crash/harness.js';

const seeds = Number(process.env.TEST_SEEDS ?? 100);
const killedRuns = Number(process.env.SOAK_KILLED_RUNS ?? 4);
const pool = Number(process.env.SOAK_POOL ?? 1000);
const parallel = Number(process.env.SOAK_PARALLEL ?? 4);

function problems(r: SeedResult): string[] {
  const out: string[] = [];
  if (r.finalExit !== 0) out.push(`final run exited ${r.finalExit}`);
  for (const key of Object.keys(r.expected)) {
    const want = new Set(r.expected[key]);
    const got = new Set(r.actual[key]);
    const missing = [...want].filter((h) => !got.has(h)).length;
    const extra = [...got].filter((h) => !want.has(h)).length;
    if (missing || extra) out.push(`${key}: ${missing} missing, ${extra} extra at the emulator`);
  }
  if (r.titleMismatches) out.push(`${r.titleMismatches} stale payloads`);
  if (r.journal.pending) out.push(`${r.journal.pending} journal entries still pending`);
  if (r.runs.some((x) => x.outcome === 'completed' && !x.balanced))
    out.push('a completed run did not balance');
  out.push(...r.leaks);
  return out;
}

const started = Date.now();
const queue = Array.from({ length: seeds }, (_, i) => i + 1);
const results: SeedResult[] = [];
const failures: { seed: number; problems: string[] }[] = [];
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const r = await runSeed({ seed, killedRuns, pool });
      results.push(r);
      const p = problems(r);
      if (p.length) failures.push({ seed, problems: p });
      process.stderr.write(`seed ${seed}: ${p.length ? `FAIL ${p.join('; ')}` : 'ok'}\n`);
    }
  }),
);
const runs = results.flatMap((r) => r.runs);
const figures = {
  seeds,
  killedRunsPerSeed: killedRuns,
  pool,
  runs: runs.length + results.length,
  killed: runs.filter((x) => x.outcome === 'killed').length,
  completedBeforeKill: runs.filter((x) => x.outcome === 'completed').length,
  journalEntries: results.reduce(
    (a, r) => a + Object.values(r.journal.byStatus).reduce((x, y) => x + y, 0),
    0,
  ),
  replayedFromKilledRuns: results.reduce((a, r) => a + r.journal.replayedFromKilled, 0),
  replayedByFinalRun: results.reduce((a, r) => a + r.finalReplayed, 0),
  faultsInjected: results.reduce((a, r) => a + r.faultsInjected, 0),
  failedSeeds: failures.length,
  seconds: Math.round((Date.now() - started) / 100) / 10,
};
process.stdout.write(`${JSON.stringify({ figures, failures })}\n`);
process.exitCode = failures.length ? 1 : 0;
