/**
 * Rest.li 2.0 URL encoding (https://linkedin.github.io/rest.li/spec/protocol).
 *
 * Query values: strings are percent-encoded (so `urn:li:x:1` -> `urn%3Ali%3Ax%3A1`), while the
 * notation's own structure stays literal: `List(a,b)`, objects `(k:v,k2:v2)`.
 * Path keys: the whole key is percent-encoded, structure characters included (`(` -> `%28`).
 */

export type RestliValue =
  | string
  | number
  | boolean
  | readonly RestliValue[]
  | { readonly [k: string]: RestliValue };

/** Percent-encodes everything but RFC 3986 unreserved characters (`A-Za-z0-9-_.~`). */
export function encodeString(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface Syntax {
  listOpen: string;
  open: string;
  close: string;
  sep: string;
  kv: string;
}

const QUERY: Syntax = { listOpen: 'List(', open: '(', close: ')', sep: ',', kv: ':' };
const PATH: Syntax = { listOpen: 'List%28', open: '%28', close: '%29', sep: '%2C', kv: '%3A' };

function encodeWith(value: RestliValue, syn: Syntax): string {
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return `${syn.listOpen}${value.map((v) => encodeWith(v, syn)).join(syn.sep)}${syn.close}`;
  const obj = value as { readonly [k: string]: RestliValue };
  // Keys sorted: a stable URL for the same object (LinkedIn's own clients do the same).
  const pairs = Object.keys(obj)
    .sort()
    .map((k) => `${encodeString(k)}${syn.kv}${encodeWith(obj[k] as RestliValue, syn)}`);
  return `${syn.open}${pairs.join(syn.sep)}${syn.close}`;
}

/** One query-parameter value: `List(urn%3Ali%3Ax%3A1,2)`, `(k:v)`, `urn%3Ali%3Ax%3A1`. */
export function encodeQueryValue(value: RestliValue): string {
  return encodeWith(value, QUERY);
}

/** One path key, fully encoded: `urn%3Ali%3Ax%3A1`, `%28a%3A1%29`. */
export function encodePathKey(value: RestliValue): string {
  return encodeWith(value, PATH);
}

/** `List(...)` of values, for `ids=` and similar parameters. */
export function restliList(values: readonly RestliValue[]): string {
  return encodeQueryValue(values);
}

/**
 * A whole query string (without `?`); parameters whose value is undefined are left out,
 * the rest keep the caller's order (the finder's `q=` first reads naturally in logs).
 */
export function queryString(params: Record<string, RestliValue | undefined>): string {
  return Object.entries(params)
    .filter((e): e is [string, RestliValue] => e[1] !== undefined)
    .map(([k, v]) => `${encodeString(k)}=${encodeQueryValue(v)}`)
    .join('&');
}
