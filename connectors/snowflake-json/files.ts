/** Resolves `path` (a file, a directory or a glob) to the export files, and opens one decompressed. */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigError } from '../../core/errors.js';
import { PLUGIN, type SnowflakeJsonConfig } from './config.js';

export interface ExportFile {
  path: string;
  /** Relative to baseDir when inside it: how the file is named in records, state and errors. */
  name: string;
}

export type Compression = Exclude<SnowflakeJsonConfig['compression'], 'auto'>;

/**
 * Zero files is an error here: Snowflake writes no file for an empty result, but an empty
 * audience must come from a COPY that succeeded, which only the caller can know.
 */
export async function resolveFiles(pattern: string, baseDir: string): Promise<ExportFile[]> {
  const literal = resolve(baseDir, pattern);
  const info = await stat(literal).catch(() => undefined);
  let matches: string[];
  if (info?.isFile()) return [toFile(literal, baseDir)];
  if (info?.isDirectory()) {
    matches = await glob('**/*', { cwd: literal, absolute: true, onlyFiles: true });
  } else if (isDynamicPattern(pattern)) {
    matches = await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true });
  } else {
    throw new ConfigError(`file not found: ${pattern} (looked for ${literal})`, {
      keyPath: 'path',
      plugin: PLUGIN,
      fix: 'check the path; relative paths are resolved against the pipeline file folder',
    });
  }
  if (matches.length === 0) {
    throw new ConfigError(`no export file matches ${pattern} (searched from ${baseDir})`, {
      keyPath: 'path',
      plugin: PLUGIN,
      fix: 'check the path; an empty Snowflake unload writes no file, so export at least one row or skip the run',
    });
  }
  const files = matches.map((m) => toFile(resolve(m), baseDir));
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function toFile(abs: string, baseDir: string): ExportFile {
  const rel = relative(baseDir, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  return { path: abs, name: (inside ? rel : abs).split(sep).join('/') };
}

export async function detectCompression(file: ExportFile, wanted: SnowflakeJsonConfig['compression']) {
  if (wanted !== 'auto') return wanted;
  const lower = file.path.toLowerCase();
  if (lower.endsWith('.zst') || lower.endsWith('.bz2')) {
    throw new ConfigError(`${file.name}: ZSTD and BZ2 files cannot be read on Node 20`, {
      keyPath: 'compression',
      plugin: PLUGIN,
      fix: 'unload with FILE_FORMAT=(TYPE=JSON COMPRESSION=GZIP)',
    });
  }
  const head = Buffer.alloc(2);
  const handle = await open(file.path, 'r');
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (lower.endsWith('.br')) return 'brotli';
  if (lower.endsWith('.raw_deflate')) return 'raw_deflate';
  if (lower.endsWith('.deflate')) return 'deflate';
  return 'none';
}

const CHUNK_BYTES = 64 * 1024;

/** A byte stream of the file's decompressed content; errors of either stage surface on the returned one. */
export function openDecompressed(file: ExportFile, compression: Compression): Readable {
  const raw = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  if (compression === 'none') return raw;
  const options = { chunkSize: CHUNK_BYTES };
  const z =
    compression === 'gzip'
      ? createGunzip(options)
      : compression === 'deflate'
        ? createInflate(options)
        : compression === 'raw_deflate'
          ? createInflateRaw(options)
          : createBrotliDecompress(options);
  raw.on('error', (err) => z.destroy(err));
  z.on('close', () => raw.destroy());
  return raw.pipe(z);
}

/** A zlib or filesystem failure as the user's problem: the file is not what it claims to be. */
export function unreadable(file: ExportFile, compression: Compression, err: unknown): ConfigError {
  const code = (err as { code?: string }).code ?? '';
  const what =
    code.startsWith('Z_') || code.startsWith('ERR_') ? `not a readable ${compression} file` : 'unreadable';
  return new ConfigError(`${file.name}: ${what} (${(err as Error).message})`, {
    plugin: PLUGIN,
    fix: 'check the file is a complete Snowflake export and the compression setting',
    cause: err,
  });
}
