/**
 * Rest.li 2.0 query parsing: `List(a,b)` values whose items are URL-encoded, single values that may or
 * may not be encoded (the docs show both `account=urn:li:...` and `account=urn%3Ali%3A...`).
 */
import { badRequest } from './http.js';

/** Raw (still encoded) values per parameter name, in order of appearance. */
export type RawQuery = Map<string, string[]>;

export function parseRawQuery(search: string): RawQuery {
  const out: RawQuery = new Map();
  const s = search.startsWith('?') ? search.slice(1) : search;
  if (s === '') return out;
  for (const pair of s.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

export function decode(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw badRequest(`Malformed URL encoding in query parameter value`);
  }
}

/** Splits `a,b(c,d),e` on top-level commas. */
function splitTopLevel(inner: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inner.slice(start));
  return items.filter((x) => x !== '');
}

/**
 * A parameter as a list: `List(x,y)` (items decoded), a tolerated fully-encoded `List%28...%29`,
 * or repeated / single plain values (Rest.li 1.0 style).
 */
export function getList(q: RawQuery, name: string): string[] | undefined {
  const values = q.get(name);
  if (!values) return undefined;
  const out: string[] = [];
  for (const raw of values) {
    if (raw.startsWith('List(') && raw.endsWith(')')) {
      out.push(...splitTopLevel(raw.slice(5, -1)).map(decode));
      continue;
    }
    const decoded = decode(raw);
    if (decoded.startsWith('List(') && decoded.endsWith(')'))
      out.push(...splitTopLevel(decoded.slice(5, -1)));
    else out.push(decoded);
  }
  return out;
}

export function getParam(q: RawQuery, name: string): string | undefined {
  const values = q.get(name);
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) throw badRequest(`Parameter '${name}' must be given once`);
  return decode(values[0]!);
}

export function getIntParam(q: RawQuery, name: string): number | undefined {
  const v = getParam(q, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw badRequest(`Parameter '${name}' must be a non-negative integer`);
  return Number(v);
}

/** A numeric entity key from a path segment, e.g. the `{id}` of `/dmpSegments/{id}`. */
export function parseId(segment: string): number | undefined {
  return /^\d{1,15}$/.test(segment) ? Number(segment) : undefined;
}

export interface Page<T> {
  elements: T[];
  paging: { start: number; count: number; links: never[]; total?: number };
}

/**
 * Standard start/count paging (default count 10). When neither is sent, every element is returned
 * (documented for the dmpSegments and adSegments finders); `count` then equals the number returned.
 */
export function paginate<T>(q: RawQuery, all: T[], withTotal = true): Page<T> {
  const start = getIntParam(q, 'start');
  const count = getIntParam(q, 'count');
  if (start === undefined && count === undefined) {
    const paging = { start: 0, count: all.length, links: [] as never[] };
    return { elements: all, paging: withTotal ? { ...paging, total: all.length } : paging };
  }
  const s = start ?? 0;
  const c = count ?? 10;
  const paging = { start: s, count: c, links: [] as never[] };
  return { elements: all.slice(s, s + c), paging: withTotal ? { ...paging, total: all.length } : paging };
}
