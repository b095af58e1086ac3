/**
 * DMP Segment Destinations and the status lifecycle. Status advances lazily from the injected clock:
 * BUILDING -> READY after buildingToReadyMs, UPDATING -> READY after updatingToReadyMs; a membership
 * change turns READY into UPDATING and ARCHIVED/EXPIRED into BUILDING. audienceSize and matchedCount
 * are shown only while READY.
 */
import type { Ctx, Env } from './env.js';
import { ApiError, badRequest, isRecord, parseJsonBody, type Reply } from './http.js';
import { stableFraction } from './prng.js';
import { paginate } from './restli.js';
import { LIST_UPLOAD_TYPES, type SegmentRecord } from './store.js';
import type { DestinationStatus } from './types.js';

export const DESTINATIONS = ['LINKEDIN'] as const;

/** The current status, after applying any timed transition that is due. */
export function currentStatus(seg: SegmentRecord, env: Env): DestinationStatus | undefined {
  const d = seg.destination;
  if (!d) return undefined;
  const delay =
    d.status === 'BUILDING'
      ? env.opts.buildingToReadyMs
      : d.status === 'UPDATING'
        ? env.opts.updatingToReadyMs
        : -1;
  if (delay >= 0 && env.now() >= d.statusSince + delay) {
    d.status = 'READY';
    d.statusSince += delay;
    d.lastModified = d.statusSince;
  }
  return d.status;
}

export function setStatus(seg: SegmentRecord, status: DestinationStatus, env: Env): void {
  const now = env.now();
  if (status === 'EXPIRED') {
    // Data retention: the audience is purged; an expired list-upload segment may get a new list.
    seg.members?.clear();
    seg.listUpload = undefined;
    seg.hasInput = false;
  }
  seg.lastModified = now;
  const d = seg.destination;
  if (!d) return;
  d.status = status;
  d.statusSince = now;
  d.lastModified = now;
  const ad = env.store.adSegments.get(d.adSegmentId);
  if (ad) {
    ad.lastModified = now;
    ad.version++;
  }
}

/** New input changed the segment: READY/UPDATING -> UPDATING, ARCHIVED/EXPIRED -> BUILDING. */
export function markChanged(seg: SegmentRecord, env: Env): void {
  seg.lastModified = env.now();
  const status = currentStatus(seg, env);
  if (status === 'READY' || status === 'UPDATING') setStatus(seg, 'UPDATING', env);
  else if (status === 'ARCHIVED' || status === 'EXPIRED') setStatus(seg, 'BUILDING', env);
}

/** Deterministic audience figures: audienceSize = member count, matchedCount = 70-90 % of it (seeded). */
export function audience(seg: SegmentRecord, env: Env): { audienceSize: number; matchedCount: number } {
  const size = env.store.memberCount(seg);
  const ratio = 0.7 + 0.2 * stableFraction(env.opts.seed, seg.id);
  return { audienceSize: size, matchedCount: Math.floor(size * ratio) };
}

/** DMPDestinationSegmentInfo as the API returns it. */
export function destinationInfo(seg: SegmentRecord, env: Env): Record<string, unknown>[] {
  const d = seg.destination;
  if (!d) return [];
  const status = currentStatus(seg, env);
  const info: Record<string, unknown> = {
    created: d.created,
    destination: d.destination,
    destinationSegmentId: `urn:li:adSegment:${d.adSegmentId}`,
    dmpSegmentId: seg.id,
    lastModified: d.lastModified,
    status,
  };
  if (status === 'READY') Object.assign(info, audience(seg, env));
  return [info];
}

/** Creates the LINKEDIN destination and the ad segment LinkedIn outputs for it. */
export function attachDestination(seg: SegmentRecord, env: Env): void {
  const now = env.now();
  const adId = env.store.newAdSegmentId();
  seg.destination = {
    destination: 'LINKEDIN',
    adSegmentId: adId,
    created: now,
    lastModified: now,
    status: 'BUILDING',
    statusSince: now,
  };
  env.store.adSegments.set(adId, {
    id: adId,
    dmpSegmentId: seg.id,
    name: seg.name,
    account: seg.account,
    type: LIST_UPLOAD_TYPES.includes(seg.type) ? 'BULK' : 'MARKET_AUTOMATION',
    created: now,
    lastModified: now,
    version: 1,
  });
}

export function parseDestinationName(v: unknown, path: string): 'LINKEDIN' {
  if (v !== 'LINKEDIN') {
    const shown = typeof v === 'string' && /^[A-Z_]{1,40}$/.test(v) ? `"${v}"` : 'the value';
    throw badRequest(`${path}: ${shown} is not a supported destination; the only accepted value is LINKEDIN`);
  }
  return v;
}

/** LinkedIn: 400 "Bad request" when the id is not a number, 404 when no such segment exists. */
export function segmentOr404(env: Env, id: number | undefined): SegmentRecord {
  if (id === undefined) throw badRequest('Bad request: the DMP segment id must be a number');
  const seg = env.store.segments.get(id);
  if (!seg) throw new ApiError(404, `Entity with key ${id} is not found.`);
  return seg;
}

/** POST /dmpSegments/{id}/destinations: 201 with the destination in x-linkedin-id (idempotent). */
export async function createDestination(ctx: Ctx, env: Env, id: number | undefined): Promise<Reply> {
  const seg = segmentOr404(env, id);
  const body = parseJsonBody(await ctx.body());
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object');
  const dest = parseDestinationName(body.destination, 'destination');
  if (!seg.destination) {
    attachDestination(seg, env);
    seg.lastModified = env.now();
  }
  return { status: 201, headers: { 'x-linkedin-id': dest, 'x-restli-id': dest } };
}

export function getDestination(env: Env, id: number | undefined, name: string): Reply {
  const seg = segmentOr404(env, id);
  if (name !== 'LINKEDIN' || !seg.destination) {
    throw new ApiError(404, `Entity with key ${name} is not found for DMP segment ${seg.id}.`);
  }
  return { status: 200, body: destinationInfo(seg, env)[0] };
}

/** GET /dmpSegments/{id}/destinations: paging has start/count/links (no total), as in the docs sample. */
export function listDestinations(ctx: Ctx, env: Env, id: number | undefined): Reply {
  const seg = segmentOr404(env, id);
  const page = paginate(ctx.query, destinationInfo(seg, env), false);
  if (ctx.query.get('start') === undefined && ctx.query.get('count') === undefined) page.paging.count = 10;
  return { status: 200, body: page };
}
