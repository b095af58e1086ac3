/**
 * The `linkedin-dmp` destination: LinkedIn Matched Audiences through the DMP Segments API.
 * `check` proves the credentials and the ad account; `open` returns the engine's session.
 */
import type { Logger } from 'pino';
import { ConfigError, InterruptedError } from '../../core/errors.js';
import { defineDestination } from '../../core/plugin.js';
import type { LinkedInDmpClient } from './client.js';
import { LinkedInDmpConfig } from './config.js';
import { connect } from './connect.js';
import { openSession } from './destination.js';
import { PLUGIN } from './errors.js';
import { compareIds } from './segments.js';

export const linkedinDmpDestination = defineDestination({
  name: PLUGIN,
  version: '0.1.0',
  description: 'LinkedIn Matched Audiences: streams users and companies to DMP segments (find-or-create).',
  config: LinkedInDmpConfig,

  /**
   * Calls the segment finder on the ad account: a 401 (after one refresh) or a 403 (no role on the
   * account / missing scope) becomes a ConfigError naming the fix. Then reads the member's role on
   * the account where the token allows it, refusing a VIEWER. Without that read a VIEWER passes
   * (the finder is a read) and LinkedIn refuses the first write with a 403, explained the same way.
   * Also refuses configured segments that already exist with another type.
   */
  async check(config, ctx) {
    const { client } = connect(config, { logger: ctx.logger, signal: ctx.signal, now: ctx.now });
    const existing = await client.findAllByAccount({
      account: config.adAccount,
      sourcePlatform: config.sourcePlatform,
    });
    await checkRole(client, config.adAccount, ctx.logger);
    const lowestFirst = [...existing].sort((a, b) => compareIds(a.id, b.id));
    config.segments.forEach((spec, i) => {
      const remote = lowestFirst.find((s) => s.sourceSegmentId === spec.sourceSegmentId);
      if (remote && remote.type !== spec.type) {
        throw new ConfigError(
          `DMP segment ${remote.id} ("${spec.sourceSegmentId}") exists with type ${remote.type}, not ${spec.type}`,
          {
            plugin: PLUGIN,
            keyPath: `segments[${i}].type`,
            fix: 'use another sourceSegmentId or fix the type',
          },
        );
      }
    });
  },

  async open(config, ctx) {
    return openSession(config, { logger: ctx.logger, signal: ctx.signal, now: ctx.now });
  },
});

/**
 * Advisory: when the token may read ad account users, a VIEWER role is refused before any write.
 * Any failure of that call (scope missing, endpoint absent) leaves the decision to the finder and
 * to the first write, which LinkedIn refuses with a 403 that errors.ts explains.
 */
async function checkRole(client: LinkedInDmpClient, account: string, logger: Logger): Promise<void> {
  let roles: { account: string; role: string }[];
  try {
    roles = await client.findMyAdAccountRoles();
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    logger.debug({ err: (err as Error).message }, 'cannot read ad account roles; relying on the finder');
    return;
  }
  const role = roles.find((r) => r.account === account)?.role;
  if (role === 'VIEWER') {
    throw new ConfigError(
      `the authorizing member is only a VIEWER on ${account}: DMP segments need write access`,
      {
        plugin: PLUGIN,
        keyPath: 'adAccount',
        fix: 'grant the member CAMPAIGN_MANAGER or ACCOUNT_MANAGER on the ad account, or use another member token',
      },
    );
  }
}

export { type AuthConfig, createTokenProvider, type TokenProvider } from './auth.js';
export {
  type AdSegment,
  type DestinationInfo,
  type DmpSegment,
  LinkedInDmpClient,
  MAX_BATCH,
  type StreamElement,
} from './client.js';
export { LinkedInDmpConfig, type LinkedInDmpConfigInput, type SegmentConfig } from './config.js';
export { type ConnectDeps, type Connection, connect } from './connect.js';
export { LinkedInDmpSession, openSession } from './destination.js';
export { classifyFailure, LinkedInTransientError, UnauthorizedError } from './errors.js';
export { HttpClient, type HttpStats, type RetryPolicy } from './http.js';
export { RateLimiter, type RateLimits, sharedRateLimiter } from './ratelimit.js';
export { encodePathKey, encodeQueryValue, queryString } from './restli.js';
export { readStatus, type SegmentStatus } from './status.js';
export { LINKEDIN_VERSION } from './versioning.js';
