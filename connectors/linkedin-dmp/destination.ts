/** The `DestinationSession` the membership engine drives: segments, batches, estimates, stats. */
import type {
  Action,
  DestinationSession,
  ElementResult,
  Member,
  ResolvedSegment,
  SegmentSpec,
  SendStats,
} from '../../core/plugin.js';
import type { StreamElement } from './client.js';
import type { LinkedInDmpConfig } from './config.js';
import { type ConnectDeps, type Connection, connect } from './connect.js';
import { defaultSleep } from './http.js';
import type { EndpointFamily } from './ratelimit.js';
import { type ResolveContext, resolveSegment, type SegmentTarget } from './segments.js';

export const familyOf = (type: SegmentSpec['type']): EndpointFamily =>
  type === 'COMPANY' ? 'companies' : 'users';

export class LinkedInDmpSession implements DestinationSession {
  readonly segments: SegmentSpec[];
  readonly maxBatchSize: number;
  private readonly targets = new Map<string, SegmentTarget & { index: number }>();
  private readonly inflight = new Map<string, Promise<ResolvedSegment | null>>();
  private readonly resolveCtx: ResolveContext;

  constructor(
    config: LinkedInDmpConfig,
    private readonly conn: Connection,
    deps: ConnectDeps,
  ) {
    this.maxBatchSize = config.batchSize;
    config.segments.forEach((s, index) => {
      this.targets.set(s.sourceSegmentId, {
        key: s.sourceSegmentId,
        name: s.name,
        type: s.type,
        route: s.route,
        description: s.description,
        index,
      });
    });
    this.segments = [...this.targets.values()].map(({ key, name, type, route }) => ({
      key,
      name,
      type,
      route,
    }));
    const sleep = deps.sleep ?? defaultSleep;
    this.resolveCtx = {
      client: conn.client,
      account: config.adAccount,
      sourcePlatform: config.sourcePlatform,
      createWaitMs: config.createWaitMs,
      logger: deps.logger.child({ plugin: 'linkedin-dmp' }),
      sleep: (ms) => sleep(ms, deps.signal),
      keyPath: (spec) => {
        const t = this.targets.get(spec.key);
        return t ? `segments[${t.index}]` : undefined;
      },
    };
  }

  get client() {
    return this.conn.client;
  }

  /**
   * Concurrent calls for one key share a single lookup/create, so one process never creates two
   * segments; across processes segments.ts keeps the lowest id. `create: false` (dry runs) never writes.
   */
  resolveSegment(spec: SegmentSpec, options: { create: boolean }): Promise<ResolvedSegment | null> {
    const target = { ...this.targets.get(spec.key), ...spec };
    if (!options.create) return resolveSegment(this.resolveCtx, target, options);
    let pending = this.inflight.get(spec.key);
    if (!pending) {
      pending = resolveSegment(this.resolveCtx, target, options).finally(() =>
        this.inflight.delete(spec.key),
      );
      this.inflight.set(spec.key, pending);
    }
    return pending;
  }

  /**
   * One result per member, in order. Larger inputs than `maxBatchSize` are split. 404s are retried
   * (a segment LinkedIn has not made available yet), as are throttles, 5xx and network failures.
   */
  async sendBatch(segment: ResolvedSegment, action: Action, members: Member[]): Promise<ElementResult[]> {
    const family = familyOf(segment.spec.type);
    const results: ElementResult[] = [];
    for (let i = 0; i < members.length; i += this.maxBatchSize) {
      const elements = members.slice(i, i + this.maxBatchSize).map((m): StreamElement => {
        const { action: _ignored, ...payload } = m.payload;
        return { action, ...payload };
      });
      const part = await this.conn.client.streamBatch(family, segment.remoteId, elements, {
        notFoundIsTransient: true,
      });
      results.push(...part);
    }
    return results;
  }

  estimate(spec: SegmentSpec, requests: number): { seconds: number } {
    return { seconds: this.conn.limiter.estimateSeconds(familyOf(spec.type), requests) };
  }

  stats(): SendStats {
    return this.conn.http.stats();
  }

  async close(): Promise<void> {
    // Nothing to release: fetch's keep-alive sockets close on their own when idle, and the
    // rate limiter outlives the session on purpose (it is per token per process).
    await Promise.allSettled([...this.inflight.values()]);
  }
}

export function openSession(config: LinkedInDmpConfig, deps: ConnectDeps): LinkedInDmpSession {
  return new LinkedInDmpSession(config, connect(config, deps), deps);
}
