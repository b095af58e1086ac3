/**
 * Find-or-create of one configured segment.
 *
 * 1. Look it up FIRST with the finder (account + sourcePlatform + sourceSegmentId): re-runs reuse it.
 * 2. Absent: create it (with the LINKEDIN destination), wait `createWaitMs` (LinkedIn needs ~5 s),
 *    then look again. Two runs racing may both have created one: every run keeps the LOWEST id, and
 *    a run whose own segment is not the lowest deletes it. Each run only ever deletes the segment it
 *    created itself, and all runs agree on the lowest id, so they converge on one segment.
 * 3. Pre-existing duplicates (made by hand or another tool) are not deleted: the lowest id is used.
 * 4. Make sure the LINKEDIN destination exists; report its status. `membershipLost` is true when the
 *    remote membership is known to be empty whatever a checkpoint says: the segment is new (never
 *    existed, or was deleted and had to be re-created) or its destination is EXPIRED (data purged).
 */
import type { Logger } from 'pino';
import { ConfigError } from '../../core/errors.js';
import type { ResolvedSegment, SegmentSpec } from '../../core/plugin.js';
import type { DmpSegment, LinkedInDmpClient } from './client.js';
import { PLUGIN } from './errors.js';

export interface SegmentTarget extends SegmentSpec {
  description?: string;
}

export interface ResolveContext {
  client: LinkedInDmpClient;
  account: string;
  sourcePlatform: string;
  createWaitMs: number;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  /** Where the spec sits in the config, for error messages (e.g. `segments[2]`). */
  keyPath?: (spec: SegmentSpec) => string | undefined;
}

/** Numeric ids compared as numbers (LinkedIn ids are longs), anything else as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every segment of ours with this sourceSegmentId, lowest id first. */
export async function findSegments(ctx: ResolveContext, sourceSegmentId: string): Promise<DmpSegment[]> {
  const found = await ctx.client.findAllByAccount({
    account: ctx.account,
    sourcePlatform: ctx.sourcePlatform,
    sourceSegmentId,
  });
  // The filter is LinkedIn's; re-check it so a server that ignores a parameter cannot mislead us.
  return found
    .filter((s) => s.sourceSegmentId === sourceSegmentId && s.sourcePlatform === ctx.sourcePlatform)
    .sort((a, b) => compareIds(a.id, b.id));
}

export function linkedinDestination(segment: DmpSegment) {
  // LinkedIn's own samples omit `destination` on the only (LINKEDIN) entry.
  return segment.destinations.find((d) => d.destination === undefined || d.destination === 'LINKEDIN');
}

export async function resolveSegment(
  ctx: ResolveContext,
  spec: SegmentTarget,
  options: { create: boolean },
): Promise<ResolvedSegment | null> {
  const existing = await findSegments(ctx, spec.key);
  if (existing.length > 1) {
    ctx.logger.warn(
      { sourceSegmentId: spec.key, ids: existing.map((s) => s.id) },
      'several DMP segments share this sourceSegmentId; using the lowest id',
    );
  }
  let segment = existing[0];
  let created = false;
  if (!segment) {
    if (!options.create) return null;
    segment = await createAndSettle(ctx, spec);
    created = true;
  }
  checkType(ctx, spec, segment);
  let destination = linkedinDestination(segment);
  if (!destination && options.create) {
    await ctx.client.createDestination(segment.id, 'LINKEDIN');
    destination = (await ctx.client.getDestination(segment.id, 'LINKEDIN')) ?? undefined;
  }
  const status = destination?.status;
  return {
    spec: { key: spec.key, name: spec.name, type: spec.type },
    remoteId: segment.id,
    created,
    status,
    membershipLost: created || status === 'EXPIRED',
  };
}

async function createAndSettle(ctx: ResolveContext, spec: SegmentTarget): Promise<DmpSegment> {
  const id = await ctx.client.createSegment({
    name: spec.name,
    account: ctx.account,
    type: spec.type,
    sourcePlatform: ctx.sourcePlatform,
    sourceSegmentId: spec.key,
    description: spec.description,
  });
  ctx.logger.info({ sourceSegmentId: spec.key, id }, 'created DMP segment');
  // Also gives a concurrent run's create the time to become visible before the duplicate check.
  await ctx.sleep(ctx.createWaitMs);
  const all = await findSegments(ctx, spec.key);
  const lowest = all[0];
  if (lowest && compareIds(lowest.id, id) < 0) {
    ctx.logger.info(
      { sourceSegmentId: spec.key, kept: lowest.id, deleted: id },
      'lost a create race; deleting ours',
    );
    await ctx.client.deleteSegment(id);
    return lowest;
  }
  const mine = all.find((s) => s.id === id) ?? (await ctx.client.getSegment(id));
  return (
    mine ?? {
      id,
      name: spec.name,
      account: ctx.account,
      type: spec.type,
      sourcePlatform: ctx.sourcePlatform,
      sourceSegmentId: spec.key,
      destinations: [{ destination: 'LINKEDIN', status: 'BUILDING' }],
    }
  );
}

function checkType(ctx: ResolveContext, spec: SegmentTarget, segment: DmpSegment): void {
  if (segment.type === spec.type) return;
  const keyPath = ctx.keyPath?.(spec);
  throw new ConfigError(
    `DMP segment ${segment.id} with sourceSegmentId "${spec.key}" is of type ${segment.type}, the config says ${spec.type}`,
    {
      plugin: PLUGIN,
      keyPath: keyPath ? `${keyPath}.type` : undefined,
      fix: 'use another sourceSegmentId, or delete the existing segment (`dmpsync segments delete`)',
    },
  );
}
