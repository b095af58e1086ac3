/**
 * Plugins are data: typed object literals passed through identity helpers that only carry
 * type inference (the unstorage `defineDriver` pattern). Each declares one zod config schema,
 * from which its SPEC (JSON Schema) is generated.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AirbyteCatalog } from './protocol/models.js';

/** What every plugin call receives: nothing reaches for a global. */
export interface PluginContext {
  logger: Logger;
  /** Aborted on SIGTERM/SIGINT: stop taking new work. */
  signal: AbortSignal;
  /** Directory relative paths in the config are resolved against (the pipeline file's folder). */
  baseDir: string;
  now: () => number;
}

// ---------------------------------------------------------------- sources

/** One item a source yields, in order. */
export type SourceItem =
  | {
      type: 'record';
      stream: string;
      data: Record<string, unknown>;
      /** 1-based data row number within `file` (header excluded), for reports. */
      row: number;
      file?: string;
    }
  | {
      /** A line the source could not parse (unbalanced quote, wrong column count...). Counted as rejected. */
      type: 'malformed';
      stream: string;
      row: number;
      /** Physical line number in the file, where known. */
      line?: number;
      file?: string;
      reason: string;
    }
  | {
      /** Resumable per-stream state: everything yielded before it is covered. */
      type: 'state';
      stream: string;
      state: Record<string, unknown>;
    };

export interface ReadOptions {
  /** Streams to read (all when absent). */
  streams?: string[];
  /** Per-stream state from an earlier read, to resume from. */
  state?: Record<string, Record<string, unknown>>;
}

export interface SourceDefinition<S extends z.ZodType = z.ZodType> {
  kind: 'source';
  name: string;
  version: string;
  description: string;
  config: S;
  /** Proves the source is reachable and readable; throws ConfigError with a clear message otherwise. */
  check(config: z.output<S>, ctx: PluginContext): Promise<void>;
  discover(config: z.output<S>, ctx: PluginContext): Promise<AirbyteCatalog>;
  read(config: z.output<S>, ctx: PluginContext, options: ReadOptions): AsyncIterable<SourceItem>;
  /**
   * Optional: the same items as `read`, in the same order and with the same states, grouped in
   * arrays (never empty, up to a few thousand items). Saves the per-item async hop on hot paths;
   * consumers go through `sourceBatches` (core/source-batches.ts), which falls back to `read`.
   */
  readBatches?(config: z.output<S>, ctx: PluginContext, options: ReadOptions): AsyncIterable<SourceItem[]>;
}

export function defineSource<S extends z.ZodType>(
  def: Omit<SourceDefinition<S>, 'kind'>,
): SourceDefinition<S> {
  return { kind: 'source', ...def };
}

// ---------------------------------------------------------------- transforms

/** A row travelling through the transform chain. */
export interface PipelineRow {
  data: Record<string, unknown>;
  row: number;
  file?: string;
  /** Segment keys (config `segments[].key`) this row goes to; set by routing. */
  segments?: string[];
  /** The USER element this row becomes; set by an identity transform (`linkedin-user`). */
  member?: Member;
  /** The COMPANY element this row becomes; set by `linkedin-company`. */
  companyMember?: Member;
  /** Explicit action in events mode. */
  action?: 'ADD' | 'REMOVE';
  /** Non-fatal notes counted in the report, e.g. `title: truncated`, `country: unknown dropped`. */
  notes?: string[];
}

/** Why a row was rejected: shown with its row number; never contains the raw value. */
export interface Rejection {
  rejected: true;
  field: string;
  reason: string;
}

export type TransformFn = (row: PipelineRow) => PipelineRow | Rejection;

export interface TransformDefinition<S extends z.ZodType = z.ZodType> {
  kind: 'transform';
  name: string;
  version: string;
  description: string;
  config: S;
  /**
   * Set on identity transforms: the segment type whose member this transform builds. Their rejections
   * are "soft": a row is rejected only if it lacks the member one of its target segments needs.
   */
  identity?: 'USER' | 'COMPANY';
  /**
   * false when the transform's output depends on anything besides the row's `data` and its config
   * (the row number, the file name, the clock, a lookup): then no run keeps a row cache
   * (docs/checkpoint.md#the-row-cache). Bump `version` whenever the output for a given row changes.
   */
  cacheable?: boolean;
  create(config: z.output<S>, ctx: PluginContext): TransformFn;
}

export function defineTransform<S extends z.ZodType>(
  def: Omit<TransformDefinition<S>, 'kind'>,
): TransformDefinition<S> {
  return { kind: 'transform', ...def };
}

export function reject(field: string, reason: string): Rejection {
  return { rejected: true, field, reason };
}

export function isRejection(x: PipelineRow | Rejection): x is Rejection {
  return (x as Rejection).rejected === true;
}

// ---------------------------------------------------------------- destinations

/**
 * One member of a segment as the engine sees it: an identity key (what makes two rows the same
 * member) and the exact payload that is sent (and stored in the checkpoint). Hashes only. The
 * payload is plain JSON data, and it is not changed once its row has left the transforms: the
 * runner fingerprints it then, and serializes it only if the store keeps it (an ADD).
 */
export interface Member {
  key: string;
  payload: Record<string, unknown>;
}

export type Action = 'ADD' | 'REMOVE';

/** A segment declared in the destination's config, as the engine addresses it. */
export interface SegmentSpec {
  /** Stable local key, unique in the pipeline (the config's `sourceSegmentId`). */
  key: string;
  name: string;
  type: 'USER' | 'COMPANY';
  /** Routing value rows carry to land in this segment (defaults to `key`). */
  route?: string;
}

/** The remote side of a segment after find-or-create. */
export interface ResolvedSegment {
  spec: SegmentSpec;
  remoteId: string;
  created: boolean;
  /** Destination status, e.g. READY / BUILDING / EXPIRED. */
  status?: string;
  /** True when the remote segment's data is known to be gone (EXPIRED, deleted and re-created). */
  membershipLost?: boolean;
}

/** Per-element outcome of one batch, same order as the batch. */
export type ElementResult = { ok: true } | { ok: false; reason: string };

export interface SendStats {
  requests: number;
  retries: number;
  throttled: number;
}

/** A destination opened for one run. The engine knows nothing else about the remote API. */
export interface DestinationSession {
  segments: SegmentSpec[];
  /** Largest batch the remote accepts. */
  maxBatchSize: number;
  resolveSegment(spec: SegmentSpec, options: { create: boolean }): Promise<ResolvedSegment | null>;
  sendBatch(segment: ResolvedSegment, action: Action, members: Member[]): Promise<ElementResult[]>;
  /** Requests and seconds that `requests` batches to this segment's type would take under the rate limit. */
  estimate(spec: SegmentSpec, requests: number): { seconds: number };
  stats(): SendStats;
  close(): Promise<void>;
}

export interface DestinationDefinition<S extends z.ZodType = z.ZodType> {
  kind: 'destination';
  name: string;
  version: string;
  description: string;
  config: S;
  check(config: z.output<S>, ctx: PluginContext): Promise<void>;
  open(config: z.output<S>, ctx: PluginContext): Promise<DestinationSession>;
}

export function defineDestination<S extends z.ZodType>(
  def: Omit<DestinationDefinition<S>, 'kind'>,
): DestinationDefinition<S> {
  return { kind: 'destination', ...def };
}

export type AnyPlugin = SourceDefinition | TransformDefinition | DestinationDefinition;
