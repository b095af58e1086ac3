/**
 * HTTP -> error taxonomy, in one function (`classifyFailure`). Nothing else in the client looks at
 * a status code to decide whether to retry: callers see ConfigError / TransientError / SystemError.
 */
import { ConfigError, type DmpsyncError, SystemError, TransientError } from '../../core/errors.js';
import { scrub } from '../../core/log.js';

export const PLUGIN = 'linkedin-dmp';

/** Why a request is worth retrying; picks the backoff policy in http.ts. */
export type TransientKind =
  | 'throttle-minute'
  | 'throttle-day'
  | 'not-found-after-create'
  | 'conflict'
  | 'server'
  | 'network'
  | 'timeout';

export class LinkedInTransientError extends TransientError {
  constructor(
    message: string,
    readonly kind: TransientKind,
    readonly status?: number,
    options?: { retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { ...options, plugin: PLUGIN });
  }
}

/** 401: http.ts refreshes the token once and retries; if it persists, this ConfigError surfaces. */
export class UnauthorizedError extends ConfigError {}

/** What failed: an HTTP answer, or no answer at all. */
export type Failure = { status: number; body: unknown } | { error: unknown };

export interface FailureContext {
  method: string;
  /** Path + query, for the message. Never holds a token (tokens only travel in headers). */
  path: string;
  /** The `LinkedIn-Version` sent, named in the 426 message. */
  version: string;
  /** A 404 here means "segment not available yet" (LinkedIn needs ~5 s after a create). */
  notFoundIsTransient?: boolean;
  /** Rest of the current per-minute window, from the client-side limiter. */
  windowRemainingMs?: number;
  /** Removes secrets from text that came from the network. */
  redact?: (s: string) => string;
}

interface LinkedInErrorBody {
  message?: string;
  serviceErrorCode?: number;
  code?: string;
}

/** LinkedIn's `{message, serviceErrorCode, status}` body, tolerant of anything else. */
export function errorBody(body: unknown): LinkedInErrorBody {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? { message: body } : {};
  const b = body as Record<string, unknown>;
  return {
    message: typeof b.message === 'string' ? b.message : undefined,
    serviceErrorCode: typeof b.serviceErrorCode === 'number' ? b.serviceErrorCode : undefined,
    code: typeof b.code === 'string' ? b.code : undefined,
  };
}

/** Network-level failure codes that mean "try again" (undici puts them on `cause`). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function networkCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const msg = err instanceof Error ? err.message : '';
  return /fetch failed|socket hang up|other side closed|terminated/i.test(msg) ? 'network' : undefined;
}

/** The one mapping from a failed request to the error taxonomy. */
export function classifyFailure(failure: Failure, ctx: FailureContext): DmpsyncError {
  const redact = (s: string) => scrub(ctx.redact ? ctx.redact(s) : s);
  const where = `${ctx.method} ${ctx.path}`;
  if ('error' in failure) {
    const err = failure.error;
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return new LinkedInTransientError(`request timed out: ${where}`, 'timeout', undefined, { cause: err });
    }
    const code = networkCode(err);
    const detail = redact(err instanceof Error ? describeCause(err) : String(err));
    if (code)
      return new LinkedInTransientError(`network error (${detail}) on ${where}`, 'network', undefined);
    return new SystemError(`unexpected failure on ${where}: ${detail}`, { plugin: PLUGIN });
  }

  const { status } = failure;
  const body = errorBody(failure.body);
  const said = body.message ? `: ${redact(body.message)}` : '';
  const text = `LinkedIn answered ${status} to ${where}${said}`;
  const message = body.message ?? '';

  if (status === 401) {
    return new UnauthorizedError(`${text} (access token rejected)`, {
      plugin: PLUGIN,
      keyPath: 'auth',
      fix: 'provide a valid access token, or refreshToken + clientId + clientSecret so it can be renewed',
    });
  }
  if (status === 403) {
    return new ConfigError(`${text} (permission denied)`, {
      plugin: PLUGIN,
      keyPath: 'adAccount',
      fix: 'the member who authorized the token needs a role other than VIEWER on the ad account, and the app the rw_dmp_segments scope',
    });
  }
  if (status === 426) {
    return new ConfigError(`${text} (LinkedIn-Version ${ctx.version} is sunset or unknown)`, {
      plugin: PLUGIN,
      keyPath: 'linkedinVersion',
      fix: 'set `linkedinVersion` to a supported YYYYMM version (see LinkedIn’s migrations page)',
    });
  }
  if (status === 429) {
    if (/SEGMENT_LIMIT_EXCEEDED/.test(message) || body.code === 'SEGMENT_LIMIT_EXCEEDED') {
      return new ConfigError(`${text} (the ad account holds the maximum of 1,000 segments)`, {
        plugin: PLUGIN,
        keyPath: 'adAccount',
        fix: 'delete unused DMP segments (`dmpsync segments delete`)',
      });
    }
    if (/DAY limit/i.test(message))
      return new LinkedInTransientError(`${text} (daily quota)`, 'throttle-day', 429);
    return new LinkedInTransientError(`${text} (per-minute limit)`, 'throttle-minute', 429, {
      retryAfterMs: ctx.windowRemainingMs,
    });
  }
  if (status === 404 && ctx.notFoundIsTransient) {
    return new LinkedInTransientError(`${text} (segment not available yet)`, 'not-found-after-create', 404);
  }
  if (status === 409) return new LinkedInTransientError(`${text} (conflict)`, 'conflict', 409);
  if (status === 408) return new LinkedInTransientError(text, 'timeout', 408);
  if (status >= 500) return new LinkedInTransientError(text, 'server', status);
  if (status === 400 || status === 404 || status === 422) {
    // LinkedIn's message names the value it refused (sourcePlatform, account, segment type...).
    return new ConfigError(text, { plugin: PLUGIN });
  }
  // 405, 406, 411, 415...: this client built a request LinkedIn does not accept: a bug.
  return new SystemError(text, { plugin: PLUGIN });
}

/** `fetch failed (ECONNRESET: read ECONNRESET)`: the useful part is on `cause`. */
function describeCause(err: Error): string {
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return err.message;
}
