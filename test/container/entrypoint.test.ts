/**
 * docker/entrypoint.mjs under plain Node (no Docker engine here): heap sized from a cgroup memory
 * limit (fake cgroup files in a temp dir), arguments and exit codes passed through, SIGTERM relayed
 * to the CLI, and the real CLI answering `spec` through it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRYPOINT = join(ROOT, 'docker/entrypoint.mjs');
const dir = mkdtempSync(join(tmpdir(), 'dmpsync-entrypoint-'));

// Stands in for the CLI: reports its heap limit and arguments; on SIGTERM says so and exits 130.
const PROBE = join(dir, 'probe.mjs');
writeFileSync(
  PROBE,
  `import v8 from 'node:v8';
const heapMb = Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024);
if (process.argv.includes('--wait')) {
  process.on('SIGTERM', () => { process.stdout.write('stopping\\n'); setTimeout(() => process.exit(130), 20); });
  setInterval(() => {}, 1000);
} else process.exitCode = Number(process.argv[2] ?? 0);
process.stdout.write(JSON.stringify({ heapMb, args: process.argv.slice(2), execArgv: process.execArgv }) + '\\n');
`,
);

function cgroup(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, 'cg-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(
  args: string[],
  env: Record<string, string>,
  onStdout?: (s: string, kill: () => void) => void,
) {
  return new Promise<Run>((done, fail) => {
    const child = spawn(process.execPath, [ENTRYPOINT, ...args], {
      env: { ...process.env, NODE_OPTIONS: '', DMPSYNC_LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      onStdout?.(stdout, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const probe = (r: Run) =>
  JSON.parse(r.stdout.split('\n')[0]!) as { heapMb: number; args: string[]; execArgv: string[] };

describe('docker/entrypoint.mjs', () => {
  it('gives the heap 75% of a cgroup v2 memory limit', async () => {
    const root = cgroup({ 'memory.max': String(1024 * 1024 * 1024) });
    const r = await start(['0', 'sync', '--config', '/airbyte/p.yaml'], {
      DMPSYNC_CLI: PROBE,
      DMPSYNC_CGROUP_ROOT: root,
    });
    expect(r.code, r.stderr).toBe(0);
    const p = probe(r);
    expect(p.execArgv).toContain('--max-old-space-size=768');
    // V8 adds its young generation on top of the old-space size.
    expect(p.heapMb).toBeGreaterThanOrEqual(768);
    expect(p.heapMb).toBeLessThan(1024);
    expect(p.args).toEqual(['0', 'sync', '--config', '/airbyte/p.yaml']);
  });

  it('reads a cgroup v1 limit too', async () => {
    const root = cgroup({ 'memory/memory.limit_in_bytes': String(512 * 1024 * 1024) });
    const r = await start(['0'], { DMPSYNC_CLI: PROBE, DMPSYNC_CGROUP_ROOT: root });
    expect(probe(r).execArgv).toContain('--max-old-space-size=384');
  });

  it('leaves the heap alone without a limit, or when NODE_OPTIONS already sizes it', async () => {
    const unlimited = await start(['0'], {
      DMPSYNC_CLI: PROBE,
      DMPSYNC_CGROUP_ROOT: cgroup({ 'memory.max': 'max' }),
    });
    expect(probe(unlimited).execArgv).toEqual([]);
    const v1Unlimited = await start(['0'], {
      DMPSYNC_CLI: PROBE,
      DMPSYNC_CGROUP_ROOT: cgroup({ 'memory/memory.limit_in_bytes': '9223372036854771712' }),
    });
    expect(probe(v1Unlimited).execArgv).toEqual([]);
    const userSet = await start(['0'], {
      DMPSYNC_CLI: PROBE,
      DMPSYNC_CGROUP_ROOT: cgroup({ 'memory.max': String(1024 * 1024 * 1024) }),
      NODE_OPTIONS: '--max-old-space-size=200',
    });
    expect(probe(userSet).execArgv).toEqual([]);
    expect(probe(userSet).heapMb).toBeLessThan(300);
  });

  it("exits with the CLI's exit code", async () => {
    const r = await start(['3'], { DMPSYNC_CLI: PROBE, DMPSYNC_CGROUP_ROOT: cgroup({}) });
    expect(r.code).toBe(3);
  });

  it('relays SIGTERM to the CLI and waits for its graceful exit', async () => {
    const r = await start(
      ['--wait'],
      { DMPSYNC_CLI: PROBE, DMPSYNC_CGROUP_ROOT: cgroup({}) },
      (out, kill) => {
        if (out.endsWith('}\n')) kill();
      },
    );
    expect(r.stdout).toContain('stopping');
    expect(r.code).toBe(130);
  });

  it('runs the real CLI: `spec` prints one SPEC message, a config error exits 2', async () => {
    const env = { DMPSYNC_CLI: join(ROOT, 'bin/dmpsync.js'), DMPSYNC_CGROUP_ROOT: cgroup({}) };
    const spec = await start(['spec'], env);
    expect(spec.code, spec.stderr).toBe(0);
    expect(JSON.parse(spec.stdout.trim())).toMatchObject({ type: 'SPEC' });
    const bad = await start(['check', '--config', join(dir, 'missing.yaml')], env);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout.trim())).toMatchObject({ type: 'TRACE', trace: { type: 'ERROR' } });
  });
});
