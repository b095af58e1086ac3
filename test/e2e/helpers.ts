/** Helpers for end-to-end tests: the real CLI as a child process, a pipeline in a temp dir. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import type { RunReport } from '../../core/runner/report.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/dmpsync.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `dmpsync ...args` asynchronously (the emulator may live in this process's event loop). */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, DMPSYNC_LOG_LEVEL: 'warn', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export function tempDir(prefix = 'dmpsync-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Person {
  id: number;
  title?: string;
  segments: string[];
}

export function emailOf(id: number): string {
  return `person${id}@example.com`;
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Writes an audience CSV; emails get messy case/whitespace that normalization must undo. */
export function writeAudience(file: string, people: Person[], extraLines: string[] = []): void {
  const lines = ['email,first_name,last_name,job_title,segments'];
  for (const p of people) {
    const email = p.id % 5 === 0 ? `  PERSON${p.id}@Example.com ` : emailOf(p.id);
    lines.push(`${email},First${p.id},Last${p.id},${p.title ?? 'Engineer'},${p.segments.join(';')}`);
  }
  writeFileSync(file, `${[...lines, ...extraLines].join('\n')}\n`);
}

export interface PipelineOptions {
  restUrl: string;
  oauthUrl?: string;
  csv: string;
  segments?: { sourceSegmentId: string; name: string; route: string; type?: 'USER' | 'COMPANY' }[];
  token?: string;
  extra?: Record<string, unknown>;
  destination?: Record<string, unknown>;
}

/** A pipeline file in `dir`, syncing the CSV into the emulator; returns its path. */
export function writePipeline(dir: string, o: PipelineOptions): string {
  const pipeline = {
    name: 'e2e',
    source: { type: 'csv', config: { path: o.csv } },
    transforms: [
      { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
      {
        type: 'linkedin-user',
        config: {
          fields: { email: 'email', firstName: 'first_name', lastName: 'last_name', title: 'job_title' },
        },
      },
    ],
    destination: {
      type: 'linkedin-dmp',
      config: {
        baseUrl: o.restUrl,
        ...(o.oauthUrl ? { oauthUrl: o.oauthUrl } : {}),
        auth: { accessToken: o.token ?? 'e2e-token' },
        adAccount: 'urn:li:sponsoredAccount:777',
        sourcePlatform: 'DMPSYNC',
        createWaitMs: 0,
        retry: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 200 },
        // A short limiter window keeps a per-minute 429's wait (the rest of the window) test-sized.
        rateLimits: { usersPerMinute: 500, companiesPerMinute: 200, windowMs: 1000 },
        segments: o.segments ?? [
          { sourceSegmentId: 'customers', name: 'Customers', route: 'customer' },
          { sourceSegmentId: 'trials', name: 'Trials', route: 'trial' },
        ],
        ...o.destination,
      },
    },
    state: { type: 'sqlite', path: './state.db' },
    guardrails: { minSegmentSize: 0, maxRemoveShare: 1 },
    ...o.extra,
  };
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, YAML.stringify(pipeline));
  return file;
}

export function parseReport(r: CliResult): RunReport {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as RunReport;
  } catch {
    throw new Error(`no JSON report on stdout (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The SHA256_EMAIL ids of a segment's members at the emulator. */
export function emailHashes(members: Record<string, unknown>[]): string[] {
  return members
    .flatMap((m) => (m.userIds as { idType: string; idValue: string }[] | undefined) ?? [])
    .filter((u) => u.idType === 'SHA256_EMAIL')
    .map((u) => u.idValue)
    .sort();
}

export function expectedHashes(people: Person[], route: string): string[] {
  return people
    .filter((p) => p.segments.includes(route))
    .map((p) => sha256(emailOf(p.id)))
    .sort();
}
