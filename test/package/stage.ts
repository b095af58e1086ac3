/**
 * Builds the package the way `npm run build` does, but into a temporary copy of the package root,
 * so tests never touch the repo's own dist/ (and can run in parallel).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
export const run = promisify(execFile);

/** A directory holding package.json, README.md, docs/ and a fresh dist/ built by tsconfig.build.json. */
export async function stagePackage(opts: { linkNodeModules?: boolean } = {}): Promise<string> {
  const stage = mkdtempSync(join(tmpdir(), 'dmpsync-stage-'));
  for (const f of ['package.json', 'README.md', 'docs'])
    cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  await run(join(ROOT, 'node_modules/.bin/tsc'), [
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(stage, 'dist'),
  ]);
  // For tests that use the staged package in place (no install): dependencies from the repo.
  if (opts.linkNodeModules) symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
  return stage;
}
