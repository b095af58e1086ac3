/**
 * Read-back for `dmpsync status`: for each configured segment, what LinkedIn reports about it
 * and what deserves a warning. One finder sweep over the account's segments (not one call each).
 */
import type { DmpSegment, LinkedInDmpClient } from './client.js';
import type { LinkedInDmpConfig } from './config.js';
import { compareIds, linkedinDestination } from './segments.js';

/** LinkedIn serves a segment only from this many matched members. */
export const MIN_AUDIENCE = 300;
/** BUILDING longer than this (LinkedIn promises the first match within 48 h) is worth a look. */
export const BUILDING_WARN_MS = 72 * 3600_000;

export interface SegmentStatus {
  sourceSegmentId: string;
  name: string;
  type: 'USER' | 'COMPANY';
  found: boolean;
  remoteId?: string;
  adSegment?: string;
  status?: string;
  audienceSize?: number;
  matchedCount?: number;
  inputCount?: number;
  created?: number;
  lastModified?: number;
  warnings: string[];
}

export function describeSegment(
  spec: LinkedInDmpConfig['segments'][number],
  remote: DmpSegment | undefined,
  now: number,
): SegmentStatus {
  const base = { sourceSegmentId: spec.sourceSegmentId, name: spec.name, type: spec.type };
  if (!remote)
    return { ...base, found: false, warnings: ['not found at LinkedIn: the next sync creates it'] };
  const dest = linkedinDestination(remote);
  const status = dest?.status;
  const warnings: string[] = [];
  if (!dest) warnings.push('no LINKEDIN destination: the next sync adds it');
  if (remote.type !== spec.type)
    warnings.push(`type at LinkedIn is ${remote.type}, config says ${spec.type}`);
  if (status === 'ARCHIVED') warnings.push('ARCHIVED: unused in campaigns for 30 days; expires after 90');
  if (status === 'EXPIRED')
    warnings.push('EXPIRED: LinkedIn purged its members; the next sync resends everyone');
  if (status === 'FAILED') warnings.push('FAILED: LinkedIn could not process this segment');
  const since = dest?.created ?? remote.created;
  if (status === 'BUILDING' && since !== undefined && now - since > BUILDING_WARN_MS) {
    warnings.push(`BUILDING for ${Math.floor((now - since) / 3600_000)} hours (over 72)`);
  }
  if (dest?.audienceSize !== undefined && dest.audienceSize < MIN_AUDIENCE) {
    warnings.push(`audience of ${dest.audienceSize} is under ${MIN_AUDIENCE}: too small to serve`);
  }
  return {
    ...base,
    found: true,
    remoteId: remote.id,
    adSegment: dest?.destinationSegmentId,
    status,
    audienceSize: dest?.audienceSize,
    matchedCount: dest?.matchedCount,
    inputCount: remote.inputCount,
    created: remote.created,
    lastModified: dest?.lastModified ?? remote.lastModified,
    warnings,
  };
}

export async function readStatus(
  client: LinkedInDmpClient,
  config: Pick<LinkedInDmpConfig, 'adAccount' | 'sourcePlatform' | 'segments'>,
  now: () => number = Date.now,
): Promise<SegmentStatus[]> {
  const all = await client.findAllByAccount({
    account: config.adAccount,
    sourcePlatform: config.sourcePlatform,
  });
  const byKey = new Map<string, DmpSegment>();
  for (const s of [...all].sort((a, b) => compareIds(a.id, b.id))) {
    // Lowest id wins, as in find-or-create.
    if (s.sourceSegmentId !== undefined && !byKey.has(s.sourceSegmentId)) byKey.set(s.sourceSegmentId, s);
  }
  const t = now();
  return config.segments.map((spec) => describeSegment(spec, byKey.get(spec.sourceSegmentId), t));
}
