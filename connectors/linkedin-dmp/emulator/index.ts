/**
 * A local emulator of LinkedIn's DMP Segments API (Matched Audiences) over real HTTP, for tests,
 * benchmarks and the demo. See docs/emulator.md for behaviour, options and faults.
 */
import type { AddressInfo } from 'node:net';
import { type AdminApi, segmentView } from './admin.js';
import { setStatus } from './destinations.js';
import { type Env, emptyStats, resolveOptions } from './env.js';
import { FaultInjector } from './faults.js';
import { ApiError } from './http.js';
import { TokenStore } from './oauth.js';
import { RateLimiter } from './rate-limit.js';
import { createEmulatorServer } from './server.js';
import { Store } from './store.js';
import {
  DESTINATION_STATUSES,
  type DestinationStatus,
  type Emulator,
  type EmulatorOptions,
} from './types.js';
import { sortedWithoutAction } from './users.js';

export { parseEmulatorArgs } from './cli-args.js';
export type {
  BatchValidation,
  DestinationStatus,
  Emulator,
  EmulatorOptions,
  EmulatorStats,
  FaultRule,
  Faults,
  OAuthClient,
  RateLimitOptions,
  SegmentType,
  SegmentView,
} from './types.js';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const opts = resolveOptions(options);
  const now = options.now ?? Date.now;
  const env: Env = { store: new Store(), opts, now, stats: emptyStats() };
  const tokens = new TokenStore(
    { accessTokens: options.accessTokens, oauthClients: options.oauthClients, seed: opts.seed },
    now,
  );
  const faults = new FaultInjector(opts.seed);
  env.rejectedSubstrings = () => faults.rejectedSubstrings();
  const limiter = new RateLimiter(opts, now);

  const segmentOrThrow = (id: string) => {
    const seg = /^\d+$/.test(id) ? env.store.segments.get(Number(id)) : undefined;
    if (!seg) throw new ApiError(404, `Unknown DMP segment ${id}`);
    return seg;
  };

  const api: AdminApi = {
    segments: () =>
      [...env.store.segments.values()].sort((a, b) => a.id - b.id).map((s) => segmentView(s, env)),
    members: (id) => {
      const seg = segmentOrThrow(id);
      return seg.members ? seg.members.list() : sortedWithoutAction(seg.listUpload?.rows ?? []);
    },
    stats: () => structuredClone(env.stats),
    resetStats: () => {
      env.stats = emptyStats();
    },
    setFaults: (f) => faults.set(f),
    setSegmentStatus: (id, status: DestinationStatus) => {
      if (!DESTINATION_STATUSES.includes(status)) throw new ApiError(400, `Unknown status ${String(status)}`);
      setStatus(segmentOrThrow(id), status, env);
    },
  };

  const server = createEmulatorServer({ env, tokens, faults, limiter, admin: api });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    ...api,
    url,
    restUrl: `${url}/rest`,
    oauthUrl: `${url}/oauth/v2/accessToken`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
