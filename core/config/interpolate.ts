/**
 * `${VAR}`, `${VAR:-default}` and `${file:PATH}` in any string of a parsed config tree.
 * Done on the tree (not the text) so an error can name the key path it happened at.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

const PATTERN = /\$\{([^}]+)\}/g;

export interface InterpolateOptions {
  env: Record<string, string | undefined>;
  file: string;
  baseDir: string;
}

export function interpolate(value: unknown, opts: InterpolateOptions, path: string[] = []): unknown {
  if (typeof value === 'string') return interpolateString(value, opts, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, opts, [...path, String(i)]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, opts, [...path, k]);
    return out;
  }
  return value;
}

function interpolateString(s: string, opts: InterpolateOptions, path: string[]): string {
  return s.replace(PATTERN, (_m, expr: string) => {
    const keyPath = formatPath(path);
    if (expr.startsWith('file:')) {
      const target = resolve(opts.baseDir, expr.slice(5).trim());
      try {
        return readFileSync(target, 'utf8').trim();
      } catch {
        throw new ConfigError(`cannot read the secret file ${target}`, {
          file: opts.file,
          keyPath,
          fix: 'check the path and its permissions',
        });
      }
    }
    const sep = expr.indexOf(':-');
    const name = (sep === -1 ? expr : expr.slice(0, sep)).trim();
    const fallback = sep === -1 ? undefined : expr.slice(sep + 2);
    const v = opts.env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`environment variable ${name} is not set`, {
      file: opts.file,
      keyPath,
      fix: `export ${name}=... or write \${${name}:-default}`,
    });
  });
}

/** `['destination', 'config', 'segments', '2', 'type']` -> `destination.config.segments[2].type`. */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number' || /^\d+$/.test(String(p))) out += `[${String(p)}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}
