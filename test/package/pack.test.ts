/**
 * The published package works outside the repo: `npm pack` -> install the tarball into an empty
 * project -> the installed `dmpsync` bin prints its SPEC and syncs a small CSV (with a user plugin
 * that imports `dmpsync` itself) into the emulator; the library entry resolves with its types.
 *
 * Install cost: a plain `npm install <tarball>` compiles better-sqlite3 from source (~90 s here).
 * We install with `--ignore-scripts --prefer-offline` (~10 s from the npm cache) and copy the
 * repo's compiled better-sqlite3 `build/` folder into the project instead; the test checks both
 * copies are the same better-sqlite3 version so the copied binary matches its JavaScript.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ROOT, run, stagePackage } from './stage.js';

function bin(proj: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(proj, 'node_modules/.bin/dmpsync'), ...args], {
      cwd: proj,
      env: { ...process.env, DMPSYNC_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const version = (dir: string) =>
  (
    JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

describe('npm pack + install into an empty project', () => {
  let proj: string;
  let emu: Emulator;

  beforeAll(async () => {
    const stage = await stagePackage();
    const out = mkdtempSync(join(tmpdir(), 'dmpsync-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage });
    const tarball = join(out, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
    proj = join(out, 'project');
    cpSync(join(ROOT, 'test/package/fixture-project'), proj, { recursive: true });
    // Kept as .txt in the repo so the repo's own type-check does not resolve `dmpsync` to an unbuilt dist.
    renameSync(join(proj, 'consumer.ts.txt'), join(proj, 'consumer.ts'));
    await run(
      'npm',
      ['install', '--no-save', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball],
      { cwd: proj },
    );
    expect(version(proj)).toBe(version(ROOT));
    cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(proj, 'node_modules/better-sqlite3/build'), {
      recursive: true,
    });
    emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0 });
  }, 120_000);
  afterAll(async () => emu?.close());

  it('ships the built JavaScript, its declarations and docs, not the TypeScript sources', () => {
    const pkg = join(proj, 'node_modules/dmpsync');
    expect(existsSync(join(pkg, 'dist/lib/index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/lib/index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'docs/library.md'))).toBe(true);
    expect(existsSync(join(pkg, 'core'))).toBe(false);
    expect(existsSync(join(pkg, 'test'))).toBe(false);
    expect(readFileSync(join(pkg, 'dist/lib/cli.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('`dmpsync spec` prints one SPEC message', async () => {
    const r = await bin(proj, ['spec']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'SPEC', spec: { connectionSpecification: {} } });
  });

  it('syncs a small CSV through a user plugin into the emulator', async () => {
    copyFileSync(join(ROOT, 'docs/plugins/exclude-domains.mjs'), join(proj, 'exclude-domains.mjs'));
    writeFileSync(
      join(proj, 'audience.csv'),
      'email,segments\nana@client.io,customer\nbo@client.io,customer\nstaff@acme.com,customer\n',
    );
    const pipeline = {
      plugins: ['./exclude-domains.mjs'],
      source: { type: 'csv', config: { path: './audience.csv' } },
      transforms: [
        { type: 'exclude-domains', config: { domains: ['acme.com'] } },
        { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
        { type: 'linkedin-user', config: { fields: { email: 'email' } } },
      ],
      destination: {
        type: 'linkedin-dmp',
        config: {
          baseUrl: emu.restUrl,
          auth: { accessToken: 'pack-token' },
          adAccount: 'urn:li:sponsoredAccount:777',
          sourcePlatform: 'DMPSYNC',
          createWaitMs: 0,
          segments: [{ sourceSegmentId: 'customers', name: 'Customers', route: 'customer' }],
        },
      },
      state: { type: 'sqlite', path: './state.db' },
      guardrails: { minSegmentSize: 0, maxRemoveShare: 1 },
    };
    writeFileSync(join(proj, 'pipeline.yaml'), YAML.stringify(pipeline));
    const r = await bin(proj, ['sync', '--config', 'pipeline.yaml', '--json']);
    const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    // One row rejected by the plugin: the run completes with rejections (exit 3).
    expect(r.code, r.stderr).toBe(3);
    expect(report.rows).toMatchObject({ read: 3, rejected: 1 });
    expect(report.rejectedSamples[0]).toMatchObject({ field: 'email', reason: 'excluded domain' });
    const seg = emu.segments().find((s) => s.sourceSegmentId === 'customers')!;
    expect(emu.members(seg.id)).toHaveLength(2);
  });

  it('the library entry imports, and its declarations type-check a consumer', async () => {
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: proj });
    expect(JSON.parse(stdout)).toMatchObject({
      runPipeline: 'function',
      defineSource: 'function',
      csv: 'csv',
    });
    await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: proj });
  });
});
