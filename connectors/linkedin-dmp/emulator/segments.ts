/** /dmpSegments: create, get, batch get, finder by account, partial update, delete, batch delete. */

import { CompanyMembers } from './companies.js';
import { attachDestination, destinationInfo, parseDestinationName, segmentOr404 } from './destinations.js';
import type { Ctx, Env } from './env.js';
import {
  ApiError,
  badRequest,
  errorBody,
  type FieldError,
  isRecord,
  parseJsonBody,
  type Reply,
  validationError,
} from './http.js';
import { getList, getParam, paginate, parseId } from './restli.js';
import type { SegmentRecord } from './store.js';
import type { SegmentType } from './types.js';
import { UserMembers } from './users.js';
import { invalid, missing, notEnum } from './validation.js';

export const SEGMENT_TYPES: readonly SegmentType[] = [
  'USER',
  'COMPANY',
  'LIST_UPLOAD',
  'USER_LIST_UPLOAD',
  'COMPANY_LIST_UPLOAD',
];
export const MAX_SEGMENTS_PER_ACCOUNT = 1000;
const ACCOUNT_URN = /^urn:li:sponsoredAccount:\d+$/;

export function renderSegment(seg: SegmentRecord, env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: seg.id,
    name: seg.name,
    account: seg.account,
    type: seg.type,
    sourcePlatform: seg.sourcePlatform,
  };
  if (seg.sourceSegmentId !== undefined) out.sourceSegmentId = seg.sourceSegmentId;
  if (seg.description !== undefined) out.description = seg.description;
  if (seg.accessPolicy !== undefined) out.accessPolicy = seg.accessPolicy;
  out.created = seg.created;
  out.lastModified = seg.lastModified;
  if (seg.hasInput) out.inputCount = env.store.memberCount(seg);
  out.destinations = destinationInfo(seg, env);
  return out;
}

function requiredString(
  body: Record<string, unknown>,
  field: string,
  errors: FieldError[],
): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) errors.push(missing(field));
  else if (typeof v !== 'string' || v.trim() === '')
    errors.push(invalid(field, 'must be a non-empty string'));
  else return v;
  return undefined;
}

function optionalText(
  body: Record<string, unknown>,
  field: string,
  errors: FieldError[],
): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') errors.push(invalid(field, 'must be a string'));
  else return v;
  return undefined;
}

/** POST /dmpSegments: 201, empty body, new id in x-restli-id and x-linkedin-id. */
export async function createSegment(ctx: Ctx, env: Env): Promise<Reply> {
  const body = parseJsonBody(await ctx.body());
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object');
  const errors: FieldError[] = [];
  const name = requiredString(body, 'name', errors);
  const account = requiredString(body, 'account', errors);
  if (account !== undefined && !ACCOUNT_URN.test(account)) {
    errors.push(invalid('account', 'must be a SponsoredAccountUrn, urn:li:sponsoredAccount:{id}'));
  }
  const sourcePlatform = requiredString(body, 'sourcePlatform', errors);
  const type = body.type;
  if (type === undefined || type === null) errors.push(missing('type'));
  else if (!SEGMENT_TYPES.includes(type as SegmentType)) errors.push(notEnum('type', '/type', type));
  const description = optionalText(body, 'description', errors);
  const sourceSegmentId = optionalText(body, 'sourceSegmentId', errors);
  const accessPolicy = body.accessPolicy;
  if (accessPolicy !== undefined && accessPolicy !== 'PRIVATE') {
    errors.push(notEnum('accessPolicy', '/accessPolicy', accessPolicy));
  }
  let withDestination = true;
  if (body.destinations !== undefined) {
    if (!Array.isArray(body.destinations)) errors.push(invalid('destinations', 'must be an array'));
    else {
      // An explicit empty list means "add the destination later" via POST /destinations.
      withDestination = body.destinations.length > 0;
      body.destinations.forEach((d, i) => {
        parseDestinationName(isRecord(d) ? d.destination : undefined, `/destinations/${i}/destination`);
      });
    }
  }
  if (errors.length > 0 || !name || !account || !sourcePlatform) {
    throw validationError(errors.map((error) => ({ error })));
  }
  if (env.store.countInAccount(account) >= MAX_SEGMENTS_PER_ACCOUNT) {
    throw new ApiError(
      429,
      `SEGMENT_LIMIT_EXCEEDED: ${account} already has ${MAX_SEGMENTS_PER_ACCOUNT} DMP segments; delete unused segments`,
      429,
      { code: 'SEGMENT_LIMIT_EXCEEDED' },
    );
  }
  const now = env.now();
  const segType = type as SegmentType;
  const seg: SegmentRecord = {
    id: env.store.newSegmentId(),
    name,
    account,
    type: segType,
    sourcePlatform,
    created: now,
    lastModified: now,
    hasInput: false,
  };
  if (description !== undefined) seg.description = description;
  if (sourceSegmentId !== undefined) seg.sourceSegmentId = sourceSegmentId;
  if (accessPolicy === 'PRIVATE') seg.accessPolicy = accessPolicy;
  if (segType === 'USER') seg.members = new UserMembers();
  if (segType === 'COMPANY') seg.members = new CompanyMembers();
  env.store.segments.set(seg.id, seg);
  if (withDestination) attachDestination(seg, env);
  const id = String(seg.id);
  return { status: 201, headers: { 'x-restli-id': id, 'x-linkedin-id': id, location: `/dmpSegments/${id}` } };
}

export function getSegment(env: Env, id: number | undefined): Reply {
  return { status: 200, body: renderSegment(segmentOr404(env, id), env) };
}

/** GET /dmpSegments?ids=List(..): always 200; unknown or malformed ids are left out. */
export function batchGetSegments(ctx: Ctx, env: Env): Reply {
  const results: Record<string, unknown> = {};
  for (const raw of getList(ctx.query, 'ids') ?? []) {
    const seg = env.store.segments.get(parseId(raw) ?? -1);
    if (seg) results[String(seg.id)] = renderSegment(seg, env);
  }
  return { status: 200, body: { statuses: {}, results, errors: {} } };
}

/** GET /dmpSegments?q=account&account=..[&sourcePlatform][&sourceSegmentId][&start&count]. */
export function findSegmentsByAccount(ctx: Ctx, env: Env): Reply {
  const account = getParam(ctx.query, 'account');
  if (!account) throw badRequest("Missing required parameter 'account' for finder 'account'");
  if (!ACCOUNT_URN.test(account)) throw badRequest("Parameter 'account' must be a SponsoredAccountUrn");
  const platform = getParam(ctx.query, 'sourcePlatform');
  const sourceId = getParam(ctx.query, 'sourceSegmentId');
  const matches = [...env.store.segments.values()]
    .filter(
      (s) =>
        s.account === account &&
        (platform === undefined || s.sourcePlatform === platform) &&
        (sourceId === undefined || s.sourceSegmentId === sourceId),
    )
    .sort((a, b) => a.id - b.id);
  const page = paginate(ctx.query, matches);
  return { status: 200, body: { ...page, elements: page.elements.map((s) => renderSegment(s, env)) } };
}

const UPDATABLE = new Set(['name', 'description', 'sourceSegmentId', 'accessPolicy']);
const DELETABLE = new Set(['description', 'sourceSegmentId']);

/** POST /dmpSegments/{id} {"patch":{"$set":{..}}}: only name, description, sourceSegmentId (and legacy accessPolicy). */
export async function updateSegment(ctx: Ctx, env: Env, id: number | undefined): Promise<Reply> {
  const seg = segmentOr404(env, id);
  const method = String(ctx.headers['x-restli-method'] ?? 'PARTIAL_UPDATE').toUpperCase();
  if (method !== 'PARTIAL_UPDATE')
    throw badRequest(`X-RestLi-Method ${method} is not supported on a DMP segment`);
  const body = parseJsonBody(await ctx.body());
  const patch = isRecord(body) ? body.patch : undefined;
  if (!isRecord(patch)) throw badRequest('Request body must be {"patch": {"$set": {...}}}');
  const set = patch.$set ?? {};
  const del = patch.$delete ?? [];
  if (!isRecord(set) || !Array.isArray(del))
    throw badRequest('patch.$set must be an object and patch.$delete an array');
  const errors: FieldError[] = [];
  for (const [field, v] of Object.entries(set)) {
    if (!UPDATABLE.has(field))
      errors.push(invalid(field, 'cannot be modified; only name, description and sourceSegmentId can'));
    else if (field === 'accessPolicy' && v !== 'PRIVATE') errors.push(notEnum(field, `/${field}`, v));
    else if (typeof v !== 'string' || (field === 'name' && v.trim() === ''))
      errors.push(invalid(field, 'must be a non-empty string'));
  }
  for (const field of del) {
    if (typeof field !== 'string' || !DELETABLE.has(field)) {
      errors.push(invalid(String(field), 'cannot be deleted; only description and sourceSegmentId can'));
    }
  }
  if (errors.length > 0) throw validationError(errors.map((error) => ({ error })));
  for (const field of del as string[]) delete seg[field as 'description' | 'sourceSegmentId'];
  Object.assign(seg, set);
  seg.lastModified = env.now();
  return { status: 204 };
}

export function deleteSegment(env: Env, id: number | undefined): Reply {
  segmentOr404(env, id);
  env.store.deleteSegment(id!);
  return { status: 204 };
}

/** DELETE /dmpSegments?ids=List(..): per-id 204 or error; all ids must belong to one account. */
export function batchDeleteSegments(ctx: Ctx, env: Env): Reply {
  const ids = getList(ctx.query, 'ids') ?? [];
  if (ids.length === 0) throw badRequest("Missing required parameter 'ids'");
  const accounts = new Set<string>();
  for (const raw of ids) {
    const seg = env.store.segments.get(parseId(raw) ?? -1);
    if (seg) accounts.add(seg.account);
  }
  if (accounts.size > 1)
    throw badRequest('All DMP segments of a batch delete must belong to the same sponsored account');
  const results: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  for (const raw of ids) {
    const id = parseId(raw);
    if (id === undefined) errors[raw] = errorBody(400, 'Bad request');
    else if (env.store.deleteSegment(id)) results[raw] = { status: 204 };
    else errors[raw] = errorBody(404, `Entity with key ${id} is not found.`);
  }
  return { status: 200, body: { results, errors } };
}
