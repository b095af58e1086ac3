/**
 * Helpers shared by the users and companies element validators. Messages never echo submitted values
 * (they could be PII); only enum symbols that look like symbols are quoted, as LinkedIn does.
 */
import type { FieldError } from './http.js';

const EMAIL = /[^\s@,;:<>()"'[\]]+@[^\s@,;:<>()"'[\]]+\.[^\s@,;:<>()"'[\]]{2,}/;

/** True when any string anywhere inside `v` looks like a plain-text email address. */
export function containsRawEmail(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('@') && EMAIL.test(v);
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    for (const item of v) if (containsRawEmail(item)) return true;
    return false;
  }
  const r = v as Record<string, unknown>;
  for (const k in r) if (containsRawEmail(r[k])) return true;
  return false;
}

/** Adds one "raw email" error per top-level field that carries one. */
export function checkNoRawEmail(el: Record<string, unknown>, errors: FieldError[]): void {
  for (const field in el) {
    if (containsRawEmail(el[field])) {
      errors.push({
        field,
        type: 'INVALID_VALUE',
        path: `/${field}`,
        text: 'must not contain a raw (unhashed) email address',
      });
    }
  }
}

export function missing(field: string, path = `/${field}`): FieldError {
  return {
    field,
    type: 'MISSING_REQUIRED_FIELD',
    path,
    text: 'field is required but not found and has no default value',
  };
}

export function invalid(field: string, text: string, path = `/${field}`): FieldError {
  return { field, type: 'INVALID_VALUE', path, text };
}

/** LinkedIn reports a bad enum under MISSING_REQUIRED_FIELD (see the users page example); mirrored here. */
export function notEnum(field: string, path: string, value: unknown): FieldError {
  const shown = typeof value === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(value) ? `"${value}"` : 'the value';
  return { field, type: 'MISSING_REQUIRED_FIELD', path, text: `${shown} is not an enum symbol` };
}

export function checkAction(el: Record<string, unknown>, errors: FieldError[]): void {
  const action = el.action;
  if (action === undefined || action === null) errors.push(missing('action'));
  else if (action !== 'ADD' && action !== 'REMOVE') errors.push(notEnum('action', '/action', action));
}

/** Optional string field with a maximum length. Returns the string when present and valid. */
export function optionalString(
  el: Record<string, unknown>,
  field: string,
  max: number | undefined,
  errors: FieldError[],
): string | undefined {
  const v = el[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    errors.push(invalid(field, 'must be a string'));
    return undefined;
  }
  if (max !== undefined && v.length > max) {
    errors.push(invalid(field, `length ${v.length} exceeds the maximum of ${max}`));
    return undefined;
  }
  return v;
}
