/**
 * The one place requests leave for LinkedIn. Node's global fetch (undici) keeps connections alive
 * by default, which avoids the "socket hang up" storms seen with a fresh socket per call.
 * Adds the protocol headers, takes a rate-limiter slot for streaming calls, maps failures through
 * errors.ts and retries TransientErrors with backoff + jitter a bounded number of times.
 * The token travels only in the Authorization header: never in a URL, message or log line.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { InterruptedError, type TransientError } from '../../core/errors.js';
import type { TokenProvider } from './auth.js';
import { classifyFailure, LinkedInTransientError, PLUGIN, UnauthorizedError } from './errors.js';
import type { EndpointFamily, RateLimiter } from './ratelimit.js';
import { RESTLI_PROTOCOL_VERSION } from './versioning.js';

export interface RetryPolicy {
  /** Attempts per request for 5xx, network, 409 and 429 failures (first try included). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Daily-quota 429s: exponential from here, doubling, capped by `dailyThrottleMaxMs`. */
  dailyThrottleBaseMs: number;
  dailyThrottleMaxMs: number;
  /** 404s on a segment LinkedIn has not made available yet; counted apart from `maxAttempts`. */
  notFoundRetries: number;
  notFoundBackoffMs: number;
}

export interface HttpClientOptions {
  baseUrl: string;
  version: string;
  auth: TokenProvider;
  retry: RetryPolicy;
  /** Streaming calls (`family` set) wait for a slot here. */
  limiter?: RateLimiter;
  concurrency: number;
  timeoutMs: number;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** Encoded path under baseUrl (`/dmpSegments/123`), or an absolute URL. */
  path: string;
  /** Encoded query string without `?` (see restli.ts). */
  query?: string;
  json?: unknown;
  form?: FormData;
  restliMethod?: string;
  family?: EndpointFamily;
  notFoundIsTransient?: boolean;
  /** Statuses handed back to the caller instead of raised (404 -> null, 400 with batchIndex). */
  accept?: readonly number[];
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class HttpClient {
  private readonly counters: HttpStats = { requests: 0, retries: 0, throttled: 0 };
  private readonly gate: LimitFunction;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: HttpClientOptions) {
    this.gate = pLimit(Math.max(1, options.concurrency));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
  }

  get version(): string {
    return this.options.version;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  stats(): HttpStats {
    return { ...this.counters };
  }

  /** Removes every known secret from a text that came back from the network. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.options.auth.secrets()) {
      if (secret.length >= 4) out = out.split(secret).join('[redacted]');
    }
    return out;
  }

  async request(spec: RequestSpec): Promise<HttpResponse> {
    const { retry, signal } = this.options;
    let attempts = 0;
    let notFound = 0;
    let daily = 0;
    let minute = 0;
    let refreshed = false;
    let pendingRefresh: { token: string; error: UnauthorizedError } | undefined;
    for (;;) {
      const sent: { token?: string } = {};
      try {
        if (signal?.aborted)
          throw new InterruptedError('interrupted before sending a request', { plugin: PLUGIN });
        if (pendingRefresh) {
          const { token, error } = pendingRefresh;
          // A static token cannot be renewed: the 401 stands as a ConfigError.
          if (!(await this.options.auth.refresh(token))) throw error;
          pendingRefresh = undefined;
        }
        return await this.gate(() => this.once(spec, sent));
      } catch (err) {
        if (err instanceof UnauthorizedError && !refreshed && sent.token !== undefined) {
          // One refresh per request: a token that fails again right after is a credentials problem.
          refreshed = true;
          pendingRefresh = { token: sent.token, error: err };
          this.counters.retries++;
          continue;
        }
        if (!(err instanceof LinkedInTransientError)) throw err;
        if (err.status === 429) this.counters.throttled++;
        let delay: number;
        if (err.kind === 'not-found-after-create') {
          notFound++;
          if (notFound > retry.notFoundRetries) throw exhausted(err, notFound, 'still not found');
          delay = Math.min(retry.maxDelayMs, retry.notFoundBackoffMs * 2 ** (notFound - 1));
        } else {
          attempts++;
          if (attempts >= retry.maxAttempts) throw exhausted(err, attempts, 'gave up');
          if (err.kind === 'throttle-day') daily++;
          minute = err.kind === 'throttle-minute' ? minute + 1 : 0;
          delay = this.delayFor(err, attempts, daily, minute);
        }
        // Every segment on this token holds back, not just this request.
        if (spec.family && err.status === 429) this.options.limiter?.pause(spec.family, this.now() + delay);
        this.counters.retries++;
        this.options.logger.warn(
          {
            kind: err.kind,
            status: err.status,
            attempt: attempts,
            delayMs: Math.round(delay),
            path: spec.path,
          },
          'LinkedIn request failed; retrying',
        );
        try {
          await this.sleep(delay, signal);
        } catch {
          throw new InterruptedError('interrupted while waiting to retry a LinkedIn request', {
            plugin: PLUGIN,
          });
        }
      }
    }
  }

  /** Waits the 5xx backoff for `attempt` (1-based): used when LinkedIn defers single elements. */
  async backoff(attempt: number): Promise<void> {
    const { retry } = this.options;
    const d = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    this.counters.retries++;
    try {
      await this.sleep(d / 2 + (this.random() * d) / 2, this.options.signal);
    } catch {
      throw new InterruptedError('interrupted while waiting to retry a LinkedIn request', { plugin: PLUGIN });
    }
  }

  get maxAttempts(): number {
    return this.options.retry.maxAttempts;
  }

  private delayFor(err: LinkedInTransientError, attempt: number, daily: number, minute: number): number {
    const { retry } = this.options;
    const jitter = (d: number) => d / 2 + (this.random() * d) / 2;
    if (err.kind === 'throttle-minute') {
      const windowMs = this.options.limiter?.limits.windowMs ?? 60_000;
      // First 429: wait out the rest of the window; throttled again right after: a whole window.
      const base = minute <= 1 ? (err.retryAfterMs ?? windowMs) : windowMs;
      return base + this.random() * Math.min(1000, windowMs / 50);
    }
    if (err.kind === 'throttle-day') {
      return jitter(Math.min(retry.dailyThrottleMaxMs, retry.dailyThrottleBaseMs * 2 ** (daily - 1)));
    }
    return jitter(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)));
  }

  private async once(spec: RequestSpec, sent: { token?: string }): Promise<HttpResponse> {
    const token = await this.options.auth.token();
    sent.token = token;
    const release = spec.family ? await this.acquire(spec.family) : undefined;
    const url = this.url(spec);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      'LinkedIn-Version': this.options.version,
      'X-Restli-Protocol-Version': RESTLI_PROTOCOL_VERSION,
      Accept: 'application/json',
    };
    if (spec.restliMethod) headers['X-RestLi-Method'] = spec.restliMethod;
    let body: string | FormData | undefined;
    if (spec.form) body = spec.form;
    else if (spec.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const where = spec.query ? `${spec.path}?${spec.query}` : spec.path;
    const ctx = {
      method: spec.method,
      path: where,
      version: this.options.version,
      notFoundIsTransient: spec.notFoundIsTransient,
      redact: (s: string) => this.redact(s),
    };
    this.counters.requests++;
    let res: Response;
    let parsed: unknown;
    try {
      res = await fetch(url, {
        method: spec.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      parsed = await readBody(res);
    } catch (error) {
      throw classifyFailure({ error }, ctx);
    } finally {
      release?.();
    }
    if ((res.status >= 200 && res.status < 300) || spec.accept?.includes(res.status)) {
      return { status: res.status, headers: res.headers, body: parsed };
    }
    const windowRemainingMs = spec.family ? this.options.limiter?.windowRemainingMs(spec.family) : undefined;
    throw classifyFailure({ status: res.status, body: parsed }, { ...ctx, windowRemainingMs });
  }

  private async acquire(family: EndpointFamily) {
    const { limiter, signal } = this.options;
    if (!limiter) return undefined;
    try {
      return await limiter.acquire(family, signal);
    } catch {
      throw new InterruptedError('interrupted while waiting for the rate limiter', { plugin: PLUGIN });
    }
  }

  private url(spec: RequestSpec): string {
    const base = /^https?:\/\//.test(spec.path)
      ? spec.path
      : `${this.options.baseUrl.replace(/\/+$/, '')}${spec.path}`;
    return spec.query ? `${base}?${spec.query}` : base;
  }
}

function exhausted(err: LinkedInTransientError, tries: number, what: string): TransientError {
  return new LinkedInTransientError(
    `${what} after ${tries} attempts: ${stripPlugin(err.message)}`,
    err.kind,
    err.status,
    { cause: err },
  );
}

function stripPlugin(message: string): string {
  return message.startsWith(`[${PLUGIN}] `) ? message.slice(PLUGIN.length + 3) : message;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
