/**
 * Kill-test harness: real `dmpsync sync` processes against the emulator with faults on, SIGKILLed
 * at seeded moments while the source changes between runs, then one clean run. Shared by
 * test/crash/kill.test.ts (CI-sized) and test/scripts/soak.ts (longer, prints figures).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { mulberry32 } from '../../connectors/linkedin-dmp/emulator/prng.js';
import type { RunReport } from '../../core/runner/report.js';
import {
  CLI,
  type CliResult,
  emailHashes,
  expectedHashes,
  type Person,
  ROOT,
  tempDir,
  writeAudience,
  writePipeline,
} from '../e2e/helpers.js';

export const ROUTES = { customers: 'customer', trials: 'trial' } as const;

export interface Spawned {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts `dmpsync ...args` without waiting (the caller may kill it). */
export function spawnCli(args: string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, DMPSYNC_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => ok({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Member-write requests the emulator has seen (faulted ones included). */
export function usersRequests(emu: Emulator): number {
  return Object.entries(emu.stats().requests)
    .filter(([k]) => k.includes('/users'))
    .reduce((a, [, n]) => a + n, 0);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `cond` holds or `done` settles, polling every few ms. */
export async function until(cond: () => boolean, done: Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  let settled = false;
  void done.then(() => (settled = true));
  const end = Date.now() + timeoutMs;
  while (!settled && !cond() && Date.now() < end) await sleep(3);
}

export interface JournalFigures {
  pending: number;
  byStatus: Record<string, number>;
  /** Entries written by a run that was killed before it finished them, finished by a later run. */
  replayedFromKilled: number;
}

export function journalFigures(stateDb: string, killedRuns: string[]): JournalFigures {
  const db = new Database(stateDb, { readonly: true });
  try {
    const rows = db.prepare('SELECT status, COUNT(*) AS n FROM journal GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const killed = new Set(killedRuns);
    // An entry of a killed run acknowledged after that run's last recorded activity was replayed.
    const entries = db.prepare('SELECT run_id, status, done_at FROM journal').all() as {
      run_id: string;
      status: string;
      done_at: number | null;
    }[];
    const runs = db.prepare('SELECT run_id, started_at FROM runs ORDER BY started_at').all() as {
      run_id: string;
      started_at: number;
    }[];
    const nextStart = new Map<string, number>();
    for (const [i, r] of runs.entries())
      nextStart.set(r.run_id, runs[i + 1]?.started_at ?? Number.POSITIVE_INFINITY);
    const replayedFromKilled = entries.filter(
      (e) => killed.has(e.run_id) && e.done_at !== null && e.done_at >= (nextStart.get(e.run_id) ?? 0),
    ).length;
    return { pending: byStatus.pending ?? 0, byStatus, replayedFromKilled };
  } finally {
    db.close();
  }
}

export function runIds(stateDb: string): string[] {
  if (!existsSync(stateDb)) return [];
  const db = new Database(stateDb, { readonly: true });
  try {
    return (db.prepare('SELECT run_id FROM runs ORDER BY started_at').all() as { run_id: string }[]).map(
      (r) => r.run_id,
    );
  } finally {
    db.close();
  }
}

export interface SeedOptions {
  seed: number;
  /** Interrupted runs before the clean one. */
  killedRuns?: number;
  /** People in the pool (the audience is about 70% of them). */
  pool?: number;
  /**
   * Row cache: one complete run before the killed ones (so they start from a cache), and one more
   * after the clean run with the same source, which must answer every row from the cache and send
   * nothing.
   */
  rowCache?: boolean;
}

export interface SeedResult {
  seed: number;
  runs: { outcome: 'killed' | 'completed'; exitCode: number | null; balanced?: boolean }[];
  /** Members at the emulator after the clean run, per segment key. */
  actual: Record<string, string[]>;
  expected: Record<string, string[]>;
  /** The COMPANY segment (one company per customer, its city following the title): members at the emulator and expected. */
  companies: { actual: string[]; expected: string[]; removeMismatches: number };
  /** Payload (title) mismatches at the emulator after the clean run. */
  titleMismatches: number;
  /** Members whose payload (title) could be compared: proves the check above is not vacuous. */
  titlesChecked: number;
  journal: JournalFigures;
  finalExit: number | null;
  finalReplayed: number;
  /** With `rowCache`: the row cache of the clean run and of the run after it. */
  rowCache?: { final: RunReport['rowCache']; after: RunReport['rowCache']; afterSent: number };
  leaks: string[];
  faultsInjected: number;
}

export const ACCESS_TOKEN = 'tok-KILLTEST-5ecret-access';

/** Users as in every e2e pipeline, plus one company per person: name from last_name, city from the title. */
const COMPANY_TRANSFORMS = [
  { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
  {
    type: 'linkedin-user',
    config: {
      fields: { email: 'email', firstName: 'first_name', lastName: 'last_name', title: 'job_title' },
    },
  },
  { type: 'linkedin-company', config: { fields: { companyName: 'last_name', city: 'job_title' } } },
];

function companyMembers(members: Record<string, unknown>[]): string[] {
  return members.map((m) => `${String(m.companyName)}|${String(m.city)}`).sort();
}

/** One seed's story: a few killed runs with faults and changing source, then a clean run. */
export async function runSeed(o: SeedOptions): Promise<SeedResult> {
  const rnd = mulberry32(o.seed * 7919 + 1);
  const pool = o.pool ?? 300;
  const emu = await startEmulator({
    seed: o.seed,
    segmentReadyDelayMs: 0,
    buildingToReadyMs: 0,
    rateLimit: { usersPerWindow: null, companiesPerWindow: null, dailyPerToken: null },
  });
  const dir = tempDir('dmpsync-kill-');
  const csv = join(dir, 'audience.csv');
  const report = join(dir, 'report.json');
  const stateDb = join(dir, 'state.db');
  const pipeline = writePipeline(dir, {
    restUrl: emu.restUrl,
    csv,
    token: ACCESS_TOKEN,
    destination: { batchSize: 25, retry: { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 20 } },
    segments: [
      { sourceSegmentId: 'customers', name: 'Customers', route: 'customer' },
      { sourceSegmentId: 'trials', name: 'Trials', route: 'trial' },
      // A COMPANY segment beside them: its REMOVEs only work with the exact stored ADD metadata.
      { sourceSegmentId: 'accounts', name: 'Accounts', route: 'customer', type: 'COMPANY' },
    ],
    extra: { transforms: COMPANY_TRANSFORMS },
  });
  const titles = ['Engineer', 'Manager', 'Director'];
  const source = new Map<number, Person>();
  const everRemoved = new Set<number>();
  const randomPerson = (id: number): Person => {
    const r = rnd();
    const segments = r < 0.33 ? ['customer', 'trial'] : r < 0.66 ? ['customer'] : ['trial'];
    return { id, segments, title: titles[Math.floor(rnd() * titles.length)] };
  };
  for (let id = 1; id <= pool; id++) if (rnd() < 0.7) source.set(id, randomPerson(id));
  // Between runs: members removed, added, re-added after removal, payloads (titles) changed.
  const mutate = () => {
    for (let id = 1; id <= pool; id++) {
      const r = rnd();
      const p = source.get(id);
      if (p && r < 0.08) {
        source.delete(id);
        everRemoved.add(id);
      } else if (p && r < 0.14) p.title = titles[(titles.indexOf(p.title ?? 'Engineer') + 1) % titles.length];
      else if (!p && (everRemoved.has(id) ? r < 0.5 : r < 0.06)) source.set(id, randomPerson(id));
    }
  };
  const people = () => [...source.values()].sort((a, b) => a.id - b.id);
  const result: SeedResult = {
    seed: o.seed,
    runs: [],
    actual: {},
    expected: {},
    companies: { actual: [], expected: [], removeMismatches: 0 },
    titleMismatches: 0,
    titlesChecked: 0,
    journal: { pending: 0, byStatus: {}, replayedFromKilled: 0 },
    finalExit: null,
    finalReplayed: 0,
    leaks: [],
    faultsInjected: 0,
  };
  const killed: string[] = [];
  const leakCheck = (label: string, text: string) => {
    if (text.includes(ACCESS_TOKEN)) result.leaks.push(`${label}: access token`);
    if (/person\d+@example\.com/i.test(text)) result.leaks.push(`${label}: raw email`);
  };
  try {
    const faults = {
      error5xx: { rate: 0.1 },
      resetAfterApply: { rate: 0.05 },
      resetBeforeApply: { rate: 0.05 },
      latencyMs: 2,
    };
    emu.setFaults(faults);
    /** A run nobody kills (faults as they are set). */
    const quiet = async (): Promise<RunReport> => {
      await spawnCli(['sync', '--config', pipeline, '--json', '--report', report]).done;
      return JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    };
    if (o.rowCache) {
      writeAudience(csv, people());
      emu.setFaults({});
      await quiet();
      emu.setFaults(faults);
    }
    for (let i = 0; i < (o.killedRuns ?? 3); i++) {
      if (i > 0 || o.rowCache) mutate();
      writeAudience(csv, people());
      const before = runIds(stateDb);
      const baseline = usersRequests(emu);
      const target = 1 + Math.floor(rnd() * 10);
      const run = spawnCli(['sync', '--config', pipeline, '--json', '--report', report]);
      // The seeded moment: after `target` member-write requests reached the emulator.
      await until(() => usersRequests(emu) - baseline >= target, run.done);
      run.child.kill('SIGKILL');
      const r = await run.done;
      leakCheck(`run ${i}`, r.stdout + r.stderr);
      if (r.signal === 'SIGKILL') {
        result.runs.push({ outcome: 'killed', exitCode: null });
        killed.push(...runIds(stateDb).filter((id) => !before.includes(id)));
      } else {
        const rep = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
        leakCheck(`report ${i}`, readFileSync(report, 'utf8'));
        result.runs.push({ outcome: 'completed', exitCode: r.code, balanced: rep.rows.balanced });
      }
    }
    mutate();
    writeAudience(csv, people());
    emu.setFaults({});
    const r = await spawnCli(['sync', '--config', pipeline, '--json', '--report', report]).done;
    leakCheck('final run', r.stdout + r.stderr);
    result.finalExit = r.code;
    if (existsSync(report)) {
      const text = readFileSync(report, 'utf8');
      leakCheck('final report', text);
      const rep = JSON.parse(text) as RunReport;
      result.finalReplayed = rep.segments.reduce((a, s) => a + s.replayed.add + s.replayed.remove, 0);
      if (o.rowCache) {
        const after = await quiet();
        result.rowCache = { final: rep.rowCache, after: after.rowCache, afterSent: after.totals.sent };
      }
    }
    const expectedTitle = new Map(people().map((p) => [p.id, p.title ?? 'Engineer']));
    for (const [key, route] of Object.entries(ROUTES)) {
      const seg = emu.segments().find((s) => s.sourceSegmentId === key);
      const members = seg ? emu.members(seg.id) : [];
      result.actual[key] = emailHashes(members);
      result.expected[key] = expectedHashes(people(), route);
      for (const m of members) {
        const title = m.title as string | undefined;
        const first = m.firstName as string | undefined;
        if (title === undefined || first === undefined) continue;
        result.titlesChecked++;
        if (expectedTitle.get(Number(first.replace('First', ''))) !== title) result.titleMismatches++;
      }
    }
    const accounts = emu.segments().find((s) => s.sourceSegmentId === 'accounts');
    result.companies = {
      actual: accounts ? companyMembers(emu.members(accounts.id)) : [],
      expected: people()
        .filter((p) => p.segments.includes('customer'))
        .map((p) => `Last${p.id}|${p.title ?? 'Engineer'}`)
        .sort(),
      removeMismatches: emu.stats().elements.companyRemoveMismatches,
    };
    result.journal = journalFigures(stateDb, killed);
    result.faultsInjected = emu.stats().faultsInjected;
    return result;
  } finally {
    await emu.close();
  }
}
