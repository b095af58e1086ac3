/** The route table: path pattern, method, optional query discriminator, stats label and handler. */
import { findAdSegments, getAdSegment, updateAdSegment } from './ad-segments.js';
import { createDestination, getDestination, listDestinations } from './destinations.js';
import type { Ctx, Env } from './env.js';
import { badRequest, type Reply } from './http.js';
import { createListUpload, uploadMedia } from './list-uploads.js';
import { streamMembers } from './members.js';
import type { Family } from './rate-limit.js';
import { getParam, parseId, type RawQuery } from './restli.js';
import {
  batchDeleteSegments,
  batchGetSegments,
  createSegment,
  deleteSegment,
  findSegmentsByAccount,
  getSegment,
  updateSegment,
} from './segments.js';

/** Which checks apply: `rest` = bearer + LinkedIn-Version + protocol 2.0.0; `media` = bearer; `oauth` = none. */
export type ApiKind = 'rest' | 'media' | 'oauth';
type Params = Record<string, string>;

interface RouteDef {
  method: string;
  /** Segments after the API prefix; `:name` captures one segment. */
  pattern: string[];
  /** `q=account` (parameter equals value) or `ids` (parameter present). */
  query?: string;
  family?: Family;
  run: (ctx: Ctx, env: Env, p: Params) => Reply | Promise<Reply>;
}

const id = (p: Params) => parseId(p.id!);

const REST: RouteDef[] = [
  { method: 'GET', pattern: ['dmpSegments'], query: 'q=account', run: (c, e) => findSegmentsByAccount(c, e) },
  { method: 'GET', pattern: ['dmpSegments'], query: 'ids', run: (c, e) => batchGetSegments(c, e) },
  { method: 'POST', pattern: ['dmpSegments'], run: (c, e) => createSegment(c, e) },
  { method: 'DELETE', pattern: ['dmpSegments'], query: 'ids', run: (c, e) => batchDeleteSegments(c, e) },
  { method: 'GET', pattern: ['dmpSegments', ':id'], run: (_c, e, p) => getSegment(e, id(p)) },
  { method: 'POST', pattern: ['dmpSegments', ':id'], run: (c, e, p) => updateSegment(c, e, id(p)) },
  { method: 'DELETE', pattern: ['dmpSegments', ':id'], run: (_c, e, p) => deleteSegment(e, id(p)) },
  {
    method: 'POST',
    pattern: ['dmpSegments', ':id', 'users'],
    family: 'users',
    run: (c, e, p) => streamMembers(c, e, 'users', id(p), p.id!),
  },
  {
    method: 'POST',
    pattern: ['dmpSegments', ':id', 'companies'],
    family: 'companies',
    run: (c, e, p) => streamMembers(c, e, 'companies', id(p), p.id!),
  },
  {
    method: 'GET',
    pattern: ['dmpSegments', ':id', 'destinations'],
    run: (c, e, p) => listDestinations(c, e, id(p)),
  },
  {
    method: 'POST',
    pattern: ['dmpSegments', ':id', 'destinations'],
    run: (c, e, p) => createDestination(c, e, id(p)),
  },
  {
    method: 'GET',
    pattern: ['dmpSegments', ':id', 'destinations', ':destination'],
    run: (_c, e, p) => getDestination(e, id(p), p.destination!),
  },
  {
    method: 'POST',
    pattern: ['dmpSegments', ':id', 'listUploads'],
    run: (c, e, p) => createListUpload(c, e, id(p), p.id!),
  },
  { method: 'GET', pattern: ['adSegments'], query: 'q=accounts', run: (c, e) => findAdSegments(c, e) },
  { method: 'GET', pattern: ['adSegments', ':id'], run: (_c, e, p) => getAdSegment(e, id(p)) },
  { method: 'POST', pattern: ['adSegments', ':id'], run: (c, e, p) => updateAdSegment(c, e, id(p)) },
];

export interface Route {
  kind: ApiKind;
  /** Stats label, e.g. 'POST /dmpSegments/{id}/users'. */
  label: string;
  family?: Family;
  run: (ctx: Ctx, env: Env) => Reply | Promise<Reply>;
}

function matchPattern(pattern: string[], parts: string[]): Params | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i]!;
    const part = parts[i]!;
    if (seg.startsWith(':')) {
      if (part === '') return undefined;
      params[seg.slice(1)] = safeDecode(part);
    } else if (seg !== part) return undefined;
  }
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function queryMatches(q: RawQuery, cond: string | undefined): boolean {
  if (!cond) return true;
  const [name, value] = cond.split('=');
  return value === undefined ? q.has(name!) : getParam(q, name!) === value;
}

function labelOf(def: RouteDef): string {
  const path = def.pattern.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/');
  return `${def.method} /${path}${def.query ? `?${def.query}` : ''}`;
}

function reject(kind: ApiKind, label: string, status: number, message: string): Route {
  return { kind, label, run: () => ({ status, body: { message, serviceErrorCode: status, status } }) };
}

/** Finds the route for a request; unknown paths, methods and finders get error routes (still counted). */
export function resolveRoute(
  method: string,
  pathname: string,
  query: RawQuery,
  oauth: (ctx: Ctx) => Promise<Reply>,
): Route {
  if (pathname === '/oauth/v2/accessToken') {
    if (method !== 'POST') return reject('oauth', 'UNMATCHED', 405, 'Method not allowed');
    return { kind: 'oauth', label: 'POST /oauth/v2/accessToken', run: (c) => oauth(c) };
  }
  if (pathname === '/media/upload') {
    if (method !== 'POST') return reject('media', 'UNMATCHED', 405, 'Method not allowed');
    return { kind: 'media', label: 'POST /media/upload', run: (c, e) => uploadMedia(c, e) };
  }
  if (!pathname.startsWith('/rest/'))
    return reject('oauth', 'UNMATCHED', 404, `No resource found for ${method}`);
  const parts = pathname.slice('/rest/'.length).replace(/\/$/, '').split('/');
  const byPath = REST.map((def) => ({ def, params: matchPattern(def.pattern, parts) })).filter(
    (m) => m.params,
  );
  if (byPath.length === 0) return reject('rest', 'UNMATCHED', 404, 'No resource found at this path');
  const byMethod = byPath.filter((m) => m.def.method === method);
  if (byMethod.length === 0)
    return reject('rest', 'UNMATCHED', 405, `Method ${method} is not allowed on this resource`);
  const found = byMethod.find((m) => queryMatches(query, m.def.query));
  if (!found) {
    const label = `${method} /${byMethod[0]!.def.pattern.join('/')}`;
    return {
      kind: 'rest',
      label,
      run: () => {
        throw badRequest('Unsupported request: a finder (q=...) or ids=List(...) parameter is required');
      },
    };
  }
  const { def, params } = found;
  return { kind: 'rest', label: labelOf(def), family: def.family, run: (c, e) => def.run(c, e, params!) };
}
