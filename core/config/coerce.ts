/**
 * Environment variables are strings, but `createWaitMs: ${WAIT:-5000}` means a number. Rather than
 * guessing types while interpolating (a numeric token must stay a string), parse first and convert
 * only the values the schema says must be numbers or booleans.
 */
import type { z } from 'zod';

export function safeParseCoercing<S extends z.ZodType>(
  schema: S,
  input: unknown,
): ReturnType<S['safeParse']> {
  let current = input;
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = schema.safeParse(current) as ReturnType<S['safeParse']>;
    if (result.success) return result;
    let changed = false;
    for (const issue of result.error.issues) {
      if (issue.code !== 'invalid_type') continue;
      const value = valueAt(current, issue.path);
      if (typeof value !== 'string') continue;
      const converted = convert(value, String(issue.expected));
      if (converted === undefined) continue;
      if (!changed) current = structuredClone(current);
      setAt(current, issue.path, converted);
      changed = true;
    }
    if (!changed) return result;
  }
  return schema.safeParse(current) as ReturnType<S['safeParse']>;
}

function convert(v: string, expected: string): number | boolean | undefined {
  const t = v.trim();
  if ((expected === 'number' || expected === 'int') && /^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (expected === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
  return undefined;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function setAt(input: unknown, path: PropertyKey[], value: unknown): void {
  let cur = input as Record<PropertyKey, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<PropertyKey, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}
