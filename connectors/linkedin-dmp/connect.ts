/** Builds a ready client from the validated config: token provider, shared limiter, HTTP layer. */
import type { Logger } from 'pino';
import { createTokenProvider, type TokenProvider } from './auth.js';
import { LinkedInDmpClient } from './client.js';
import type { LinkedInDmpConfig } from './config.js';
import { HttpClient } from './http.js';
import { type RateLimiter, sharedRateLimiter } from './ratelimit.js';

export interface ConnectDeps {
  logger: Logger;
  /** Stop taking new work (SIGTERM): waits for retries and rate slots are abandoned. */
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected limiter; by default the process-wide one for this token. */
  limiter?: RateLimiter;
}

export interface Connection {
  client: LinkedInDmpClient;
  http: HttpClient;
  limiter: RateLimiter;
  auth: TokenProvider;
}

export function connect(config: LinkedInDmpConfig, deps: ConnectDeps): Connection {
  const now = deps.now ?? Date.now;
  const auth = createTokenProvider(config.auth, {
    oauthUrl: config.oauthUrl,
    now,
    timeoutMs: config.requestTimeoutMs,
  });
  const limiter =
    deps.limiter ??
    sharedRateLimiter(
      auth.identity,
      {
        usersPerWindow: config.rateLimits.usersPerMinute,
        companiesPerWindow: config.rateLimits.companiesPerMinute,
        windowMs: config.rateLimits.windowMs,
      },
      { now },
    );
  const http = new HttpClient({
    baseUrl: config.baseUrl,
    version: config.linkedinVersion,
    auth,
    limiter,
    retry: {
      ...config.retry,
      notFoundRetries: config.notFoundRetries,
      notFoundBackoffMs: config.notFoundBackoffMs,
    },
    concurrency: config.concurrency,
    timeoutMs: config.requestTimeoutMs,
    logger: deps.logger.child({ plugin: 'linkedin-dmp' }),
    signal: deps.signal,
    now,
    random: deps.random,
    sleep: deps.sleep,
  });
  return { client: new LinkedInDmpClient(http), http, limiter, auth };
}
