/**
 * The Dockerfile's conventions, asserted on its text (no Docker engine here): official Node LTS
 * slim images, multi-stage with production dependencies only, non-root `airbyte` user, writable
 * /airbyte and state directory, ENTRYPOINT == AIRBYTE_ENTRYPOINT (absolute), Airbyte labels,
 * SIGTERM as stop signal; and a .dockerignore that keeps secrets and build output out.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface Instruction {
  op: string;
  args: string;
}

/** Instructions with line continuations joined and comments dropped. */
function parse(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const all = parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const argDefaults = Object.fromEntries(
  all
    .filter((i) => i.op === 'ARG' && i.args.includes('='))
    .map((i) => i.args.split('=', 2) as [string, string]),
);
const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_m, k: string) => argDefaults[k] ?? '');
const stages: Instruction[][] = [];
for (const i of all) {
  if (i.op === 'FROM') stages.push([]);
  stages.at(-1)?.push(i);
}
const final = stages.at(-1) ?? [];
const ops = (stage: Instruction[], op: string) => stage.filter((i) => i.op === op).map((i) => i.args);
/** `KEY=value` or `KEY="value"` pairs of ENV/LABEL lines. */
function pairs(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines)
    for (const m of l.matchAll(/([\w.-]+)=("([^"]*)"|\S+)/g)) out[m[1]!] = expand(m[3] ?? m[2]!);
  return out;
}
const env = pairs(ops(final, 'ENV'));
const labels = pairs(ops(final, 'LABEL'));
const runs = ops(final, 'RUN').join(' && ');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('Dockerfile', () => {
  it('is multi-stage on official Node LTS slim images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      const image = expand(s[0]!.args.split(/\s+/)[0]!);
      const m = /^node:(\d+)(-[a-z]+)?-slim$/.exec(image);
      expect(m, image).not.toBeNull();
      const major = Number(m![1]);
      expect(major % 2, `${image} is not an LTS line`).toBe(0);
      expect(major).toBeGreaterThanOrEqual(20);
    }
    expect(ops(final, 'COPY').some((c) => c.startsWith('--from=build'))).toBe(true);
  });

  it('ships production dependencies only and builds with npm run build', () => {
    const build = stages[0]!
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join(' && ');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(runs).not.toMatch(/npm (ci|install)/);
  });

  it('copies every folder the build compiles', () => {
    const include = (
      JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
    ).include;
    const copied = ops(stages[0]!, 'COPY').map((c) => c.split(/\s+/)[0]);
    for (const dir of include) expect(copied).toContain(dir);
  });

  it('runs as the non-root user airbyte with writable /airbyte and state directory', () => {
    expect(ops(final, 'USER').at(-1)).toBe('airbyte');
    expect(runs).toMatch(/useradd .*airbyte/);
    const stateDir = env.DMPSYNC_STATE_DIR;
    expect(stateDir).toMatch(/^\//);
    expect(runs).toContain(`mkdir -p /airbyte ${stateDir}`);
    expect(runs).toContain(`chown airbyte:airbyte /airbyte ${stateDir}`);
  });

  it('has ENTRYPOINT and AIRBYTE_ENTRYPOINT as the same absolute command', () => {
    const entry = JSON.parse(ops(final, 'ENTRYPOINT').at(-1)!) as string[];
    expect(entry.join(' ')).toBe(env.AIRBYTE_ENTRYPOINT);
    expect(entry[0]).toMatch(/^\//);
    // The script it names is copied there, exists in the repo and starts with a node shebang.
    const copy = ops(final, 'COPY').find((c) => c.endsWith(entry[0]!.replace('/opt/dmpsync/', './')));
    expect(copy).toBeDefined();
    const src = join(ROOT, copy!.split(/\s+/)[0]!);
    expect(readFileSync(src, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(statSync(src).isFile()).toBe(true);
    expect(runs).toContain(`chmod 0755 ${copy!.split(/\s+/)[1]}`);
    expect(ops(final, 'WORKDIR')).toContain('/opt/dmpsync');
  });

  it('carries io.airbyte.name and io.airbyte.version (the package version)', () => {
    expect(labels['io.airbyte.name']).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(labels['io.airbyte.version']).toBe(pkg.version);
  });

  it('stops with SIGTERM, which the CLI handles gracefully', () => {
    expect(ops(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('has a .dockerignore that keeps build output, dependencies, git and secrets out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['.git', 'node_modules', 'dist', 'test', '.dmpsync', '**/.env'])
      expect(ignored).toContain(p);
    // Nothing the Dockerfile copies from the context is ignored.
    const fromContext = all
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const src of fromContext) {
      expect(existsSync(join(ROOT, src)), src).toBe(true);
      expect(ignored, src).not.toContain(src.split('/')[0]);
    }
  });
});
