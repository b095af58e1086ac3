/** A one-emulator, one-pipeline fixture for the recovery tests: real CLI processes, real files. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import {
  type Emulator,
  type EmulatorOptions,
  startEmulator,
} from '../../connectors/linkedin-dmp/emulator/index.js';
import type { RunReport } from '../../core/runner/report.js';
import {
  type CliResult,
  emailHashes,
  expectedHashes,
  type Person,
  type PipelineOptions,
  runCli,
  tempDir,
  writeAudience,
  writePipeline,
} from '../e2e/helpers.js';
import { type Spawned, sleep, spawnCli, usersRequests } from './harness.js';

export interface Fixture {
  emu: Emulator;
  dir: string;
  pipeline: string;
  stateDb: string;
  reportFile: string;
  people: Person[];
  write(people: Person[]): void;
  sync(flags?: string[], config?: string): Promise<{ r: CliResult; report: RunReport | null }>;
  spawn(flags?: string[], config?: string): Spawned;
  segmentId(): string;
  members(): string[];
  expected(): string[];
  /** Rows of a state-store table (read-only connection: the CLI may be running). */
  query<T>(sql: string): T[];
  /** A copy of the pipeline file with top-level fields changed. */
  variant(name: string, fields: Record<string, unknown>): string;
  waitFor(cond: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const SEGMENT = [{ sourceSegmentId: 'customers', name: 'Customers', route: 'customer' }];

export function people(from: number, to: number): Person[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, segments: ['customer'] }));
}

export async function fixture(
  o: { emulator?: EmulatorOptions; pipeline?: Partial<PipelineOptions> } = {},
): Promise<Fixture> {
  const emu = await startEmulator({
    segmentReadyDelayMs: 0,
    buildingToReadyMs: 0,
    rateLimit: { usersPerWindow: null, companiesPerWindow: null, dailyPerToken: null },
    ...o.emulator,
  });
  const dir = tempDir('dmpsync-crash-');
  const csv = join(dir, 'audience.csv');
  const reportFile = join(dir, 'report.json');
  const stateDb = join(dir, 'state.db');
  const pipeline = writePipeline(dir, {
    restUrl: emu.restUrl,
    oauthUrl: emu.oauthUrl,
    csv,
    segments: SEGMENT,
    ...o.pipeline,
    destination: { retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50 }, ...o.pipeline?.destination },
  });
  const f: Fixture = {
    emu,
    dir,
    pipeline,
    stateDb,
    reportFile,
    people: [],
    write(p) {
      f.people = p;
      writeAudience(csv, p);
    },
    async sync(flags = [], config = pipeline) {
      writeFileSync(reportFile, '');
      const r = await runCli(['sync', '--config', config, '--json', '--report', reportFile, ...flags]);
      const text = readFileSync(reportFile, 'utf8');
      return { r, report: text ? (JSON.parse(text) as RunReport) : null };
    },
    spawn(flags = [], config = pipeline) {
      return spawnCli(['sync', '--config', config, '--json', '--report', reportFile, ...flags]);
    },
    segmentId() {
      const s = emu.segments().find((x) => x.sourceSegmentId === 'customers');
      if (!s) throw new Error('segment customers not at the emulator');
      return s.id;
    },
    members: () => emailHashes(emu.members(f.segmentId())),
    expected: () => expectedHashes(f.people, 'customer'),
    query<T>(sql: string): T[] {
      const db = new Database(stateDb, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    },
    variant(name, fields) {
      const doc = YAML.parse(readFileSync(pipeline, 'utf8')) as Record<string, unknown>;
      const file = join(dir, name);
      writeFileSync(file, YAML.stringify({ ...doc, ...fields }));
      return file;
    },
    async waitFor(cond, what, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (!safe(cond)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(5);
      }
    },
    close: () => emu.close(),
  };
  return f;
}

// The state file may not exist yet, or be mid-migration, while a child process starts.
function safe(cond: () => boolean): boolean {
  try {
    return cond();
  } catch {
    return false;
  }
}

export { usersRequests };
