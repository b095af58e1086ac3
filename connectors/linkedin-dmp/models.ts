/**
 * Shapes of what the DMP Segments API sends and takes. Responses are parsed tolerantly (unknown
 * fields kept) but strictly enough that a surprise becomes a clear SystemError, not a crash later.
 */
import { z } from 'zod';
import { SystemError } from '../../core/errors.js';
import { PLUGIN } from './errors.js';

const Id = z.union([z.number(), z.string()]).transform(String);

export const DestinationInfo = z.looseObject({
  destination: z.string().optional(),
  destinationSegmentId: z.string().optional(),
  dmpSegmentId: Id.optional(),
  status: z.string().optional(),
  audienceSize: z.number().optional(),
  matchedCount: z.number().optional(),
  created: z.number().optional(),
  lastModified: z.number().optional(),
  failure: z.unknown().optional(),
});
export type DestinationInfo = z.output<typeof DestinationInfo>;

export const DmpSegment = z.looseObject({
  id: Id,
  name: z.string(),
  account: z.string(),
  type: z.string(),
  sourcePlatform: z.string(),
  sourceSegmentId: z.string().optional(),
  description: z.string().optional(),
  created: z.number().optional(),
  lastModified: z.number().optional(),
  inputCount: z.number().optional(),
  destinations: z.array(DestinationInfo).default([]),
});
export type DmpSegment = z.output<typeof DmpSegment>;

export const AdSegment = z.looseObject({
  id: Id,
  name: z.string().optional(),
  account: z.string().optional(),
  status: z.string().optional(),
  type: z.string().optional(),
  approximateMemberCount: z.number().optional(),
});
export type AdSegment = z.output<typeof AdSegment>;

export const Paging = z.looseObject({ start: z.number(), count: z.number(), total: z.number().optional() });
export type Paging = z.output<typeof Paging>;

export interface Page<T> {
  elements: T[];
  paging?: Paging;
}

export interface CreateSegmentInput {
  name: string;
  account: string;
  type: 'USER' | 'COMPANY' | 'LIST_UPLOAD' | 'USER_LIST_UPLOAD' | 'COMPANY_LIST_UPLOAD';
  sourcePlatform: string;
  sourceSegmentId?: string;
  description?: string;
}

export interface SegmentFilter {
  account: string;
  sourcePlatform?: string;
  sourceSegmentId?: string;
  /** Both absent: LinkedIn returns every matching segment in one answer. */
  start?: number;
  count?: number;
}

export interface AdSegmentFilter {
  accounts: string[];
  statuses?: string[];
  types?: string[];
  start?: number;
  count?: number;
}

/** One streamed user or company: `action` plus the flat fields LinkedIn documents. */
export type StreamElement = { action: 'ADD' | 'REMOVE' } & Record<string, unknown>;

export interface StreamOptions {
  /** The segment may be younger than LinkedIn's ~5 s availability delay: retry 404s. */
  notFoundIsTransient?: boolean;
}

export interface BatchDeleteResult {
  ok: boolean;
  status: number;
  message?: string;
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new SystemError(`unexpected LinkedIn answer for ${what}: ${r.error.message}`, { plugin: PLUGIN });
  return r.data;
}

export function page<S extends z.ZodType>(schema: S, body: unknown, what: string): Page<z.output<S>> {
  const b = parse(z.looseObject({ elements: z.array(z.unknown()), paging: Paging.optional() }), body, what);
  return { elements: b.elements.map((e) => parse(schema, e, what)), paging: b.paging };
}
