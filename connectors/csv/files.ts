/** Resolves the config's `path` (a file or a glob) to the files to read, in a stable order. */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigError } from '../../core/errors.js';

export interface CsvFile {
  /** Absolute path. */
  path: string;
  /** How the file is named in records, state and errors: relative to baseDir when inside it. */
  name: string;
  gzip: boolean;
}

const PLUGIN = 'csv';

export async function resolveFiles(pattern: string, baseDir: string): Promise<CsvFile[]> {
  const literal = resolve(baseDir, pattern);
  const info = await stat(literal).catch(() => undefined);
  // A literal name wins even if it looks like a glob, e.g. `export (1).csv`.
  if (info?.isFile()) return [toFile(literal, baseDir)];
  if (info?.isDirectory()) {
    throw new ConfigError(`${pattern} is a directory, not a file`, {
      keyPath: 'path',
      plugin: PLUGIN,
      fix: `name a file, or a glob such as ${pattern.replace(/\/$/, '')}/*.csv`,
    });
  }
  if (!isDynamicPattern(pattern)) {
    throw new ConfigError(`file not found: ${pattern} (looked for ${literal})`, {
      keyPath: 'path',
      plugin: PLUGIN,
      fix: 'check the path; relative paths are resolved against the pipeline file folder',
    });
  }
  const matches = await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true });
  if (matches.length === 0) {
    throw new ConfigError(`no file matches ${pattern} (searched from ${baseDir})`, {
      keyPath: 'path',
      plugin: PLUGIN,
      fix: 'check the glob; relative patterns are resolved against the pipeline file folder',
    });
  }
  const files = matches.map((m) => toFile(resolve(m), baseDir));
  // Code-unit order, not locale order: the state compares names the same way on every machine.
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function toFile(abs: string, baseDir: string): CsvFile {
  const rel = relative(baseDir, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  const name = (inside ? rel : abs).split(sep).join('/');
  return { path: abs, name, gzip: abs.toLowerCase().endsWith('.gz') };
}
