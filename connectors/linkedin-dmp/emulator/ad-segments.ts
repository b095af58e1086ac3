/**
 * /adSegments: get, partial update (name, description, status) and the finder by accounts. An ad segment
 * is the output of a DMP segment's LINKEDIN destination; its status IS that destination's status.
 */
import { currentStatus, setStatus } from './destinations.js';
import type { Ctx, Env } from './env.js';
import {
  ApiError,
  badRequest,
  type FieldError,
  isRecord,
  parseJsonBody,
  type Reply,
  validationError,
} from './http.js';
import { getList, paginate } from './restli.js';
import type { AdSegmentRecord } from './store.js';
import { DESTINATION_STATUSES, type DestinationStatus } from './types.js';
import { invalid, notEnum } from './validation.js';

const ACTOR = 'urn:li:unknown:0';
const AD_SEGMENT_TYPES = ['BULK', 'RETARGETING', 'MARKET_AUTOMATION'];

function render(ad: AdSegmentRecord, env: Env): Record<string, unknown> {
  const seg = env.store.segments.get(ad.dmpSegmentId)!;
  const status = currentStatus(seg, env);
  const out: Record<string, unknown> = {
    id: ad.id,
    name: ad.name,
    account: ad.account,
    type: ad.type,
    status,
    created: { actor: ACTOR, time: ad.created },
    lastModified: { actor: ACTOR, time: Math.max(ad.lastModified, seg.destination?.lastModified ?? 0) },
    versionTag: String(ad.version),
  };
  if (ad.description !== undefined) out.description = ad.description;
  if (status !== 'BUILDING') out.approximateMemberCount = env.store.memberCount(seg);
  return out;
}

function adOr404(env: Env, id: number | undefined): AdSegmentRecord {
  if (id === undefined) throw badRequest('Bad request: the ad segment id must be a number');
  const ad = env.store.adSegments.get(id);
  if (!ad) throw new ApiError(404, `Entity with key ${id} is not found.`);
  return ad;
}

export function getAdSegment(env: Env, id: number | undefined): Reply {
  return { status: 200, body: render(adOr404(env, id), env) };
}

/** POST /adSegments/{id} {"patch":{"$set":{name|description|status}}} -> 204. */
export async function updateAdSegment(ctx: Ctx, env: Env, id: number | undefined): Promise<Reply> {
  const ad = adOr404(env, id);
  const body = parseJsonBody(await ctx.body());
  const set = isRecord(body) && isRecord(body.patch) ? body.patch.$set : undefined;
  if (!isRecord(set)) throw badRequest('Request body must be {"patch": {"$set": {...}}}');
  const errors: FieldError[] = [];
  for (const [field, v] of Object.entries(set)) {
    if (field === 'status') {
      if (!DESTINATION_STATUSES.includes(v as DestinationStatus)) errors.push(notEnum(field, '/status', v));
    } else if (field === 'name' || field === 'description') {
      if (typeof v !== 'string' || v.trim() === '') errors.push(invalid(field, 'must be a non-empty string'));
    } else errors.push(invalid(field, 'cannot be modified; only name, description and status can'));
  }
  if (errors.length > 0) throw validationError(errors.map((error) => ({ error })));
  if (typeof set.name === 'string') ad.name = set.name;
  if (typeof set.description === 'string') ad.description = set.description;
  ad.lastModified = env.now();
  ad.version++;
  if (set.status !== undefined)
    setStatus(env.store.segments.get(ad.dmpSegmentId)!, set.status as DestinationStatus, env);
  return { status: 204 };
}

/** GET /adSegments?q=accounts&accounts=List(..)[&statuses=List(..)][&types=List(..)][&start&count]. */
export function findAdSegments(ctx: Ctx, env: Env): Reply {
  const accounts = getList(ctx.query, 'accounts');
  if (!accounts || accounts.length === 0)
    throw badRequest("Missing required parameter 'accounts' for finder 'accounts'");
  const statuses = getList(ctx.query, 'statuses');
  const types = getList(ctx.query, 'types');
  for (const s of statuses ?? []) {
    if (!DESTINATION_STATUSES.includes(s as DestinationStatus))
      throw badRequest(`statuses: unknown AdSegmentStatus`);
  }
  for (const t of types ?? [])
    if (!AD_SEGMENT_TYPES.includes(t)) throw badRequest(`types: unknown AdSegmentType`);
  const wanted = new Set(accounts);
  const matches = [...env.store.adSegments.values()]
    .filter((ad) => wanted.has(ad.account))
    .map((ad) => render(ad, env))
    .filter(
      (r) =>
        (!statuses || statuses.includes(r.status as string)) && (!types || types.includes(r.type as string)),
    )
    .sort((a, b) => (a.id as number) - (b.id as number));
  return { status: 200, body: paginate(ctx.query, matches) };
}
