/** Turns a zod failure into one ConfigError that names the file, key path, expectation and what was found. */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatPath } from './interpolate.js';

const SECRETISH = /token|secret|password|key$/i;

export function configErrorFromZod(
  error: z.ZodError,
  input: unknown,
  where: { file?: string; prefix?: (string | number)[]; plugin?: string },
): ConfigError {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const full = [...(where.prefix ?? []), ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const found = describeFound(valueAt(input, issue.path), full);
    return `${formatPath(full)}: ${issue.message}${found ? ` (found ${found})` : ''}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  const first = error.issues[0];
  const keyPath = first ? formatPath([...(where.prefix ?? []), ...first.path.map(String)]) : undefined;
  return new ConfigError(`invalid configuration: ${lines.join('; ')}${more}`, {
    file: where.file,
    fix: keyPath ? `correct ${keyPath} (see docs/configuration.md)` : undefined,
    plugin: where.plugin,
  });
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function describeFound(v: unknown, path: (string | number)[]): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  const last = String(path[path.length - 1] ?? '');
  if (typeof v === 'string') {
    if (SECRETISH.test(last) || v.includes('@')) return 'a string';
    return v.length > 40 ? `"${v.slice(0, 40)}..."` : `"${v}"`;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'an object';
}
