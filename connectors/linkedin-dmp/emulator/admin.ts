/**
 * Admin HTTP endpoints (for tests that run the emulator in another process) and the SegmentView
 * builder shared with the programmatic API.
 */
import type { IncomingMessage } from 'node:http';
import { currentStatus, destinationInfo } from './destinations.js';
import type { Env } from './env.js';
import { ApiError, errorBody, isRecord, parseJsonBody, type Reply, readBody } from './http.js';
import type { SegmentRecord } from './store.js';
import type { Emulator, SegmentView } from './types.js';

export type AdminApi = Pick<
  Emulator,
  'segments' | 'members' | 'stats' | 'resetStats' | 'setFaults' | 'setSegmentStatus'
>;

export function segmentView(seg: SegmentRecord, env: Env): SegmentView {
  const view: SegmentView = {
    id: String(seg.id),
    name: seg.name,
    account: seg.account,
    type: seg.type,
    sourcePlatform: seg.sourcePlatform,
    created: seg.created,
    lastModified: seg.lastModified,
    memberCount: env.store.memberCount(seg),
    destinations: destinationInfo(seg, env),
  };
  if (seg.sourceSegmentId !== undefined) view.sourceSegmentId = seg.sourceSegmentId;
  if (seg.description !== undefined) view.description = seg.description;
  if (seg.hasInput) view.inputCount = view.memberCount;
  const status = currentStatus(seg, env);
  if (status) view.status = status;
  if (seg.destination) view.adSegmentUrn = `urn:li:adSegment:${seg.destination.adSegmentId}`;
  if (seg.listUpload) view.listUploadFile = seg.listUpload.inputFile;
  return view;
}

/** GET segments, GET segments/{id}/members, POST segments/{id}/status, GET stats, POST stats/reset, POST faults. */
export async function handleAdmin(req: IncomingMessage, pathname: string, api: AdminApi): Promise<Reply> {
  const parts = pathname.split('/').filter(Boolean).slice(1);
  const method = req.method ?? 'GET';
  const route = `${method} ${parts.map((p, i) => (i === 1 && parts[0] === 'segments' ? '{id}' : p)).join('/')}`;
  try {
    switch (route) {
      case 'GET segments':
        return { status: 200, body: api.segments() };
      case 'GET segments/{id}/members':
        return { status: 200, body: api.members(parts[1]!) };
      case 'POST segments/{id}/status': {
        const body = parseJsonBody(await readBody(req));
        if (!isRecord(body) || typeof body.status !== 'string')
          throw new ApiError(400, 'Body must be {"status": "..."}');
        api.setSegmentStatus(parts[1]!, body.status as Parameters<AdminApi['setSegmentStatus']>[1]);
        return { status: 204 };
      }
      case 'GET stats':
        return { status: 200, body: api.stats() };
      case 'POST stats/reset':
        api.resetStats();
        return { status: 204 };
      case 'POST faults':
        api.setFaults(parseJsonBody(await readBody(req)) as Parameters<AdminApi['setFaults']>[0]);
        return { status: 204 };
      default:
        return { status: 404, body: errorBody(404, `No admin endpoint ${method} ${pathname}`) };
    }
  } catch (e) {
    if (e instanceof ApiError) return e.toReply();
    return { status: 400, body: errorBody(400, e instanceof Error ? e.message : String(e)) };
  }
}
