import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  LinkedInTransientError,
  UnauthorizedError,
} from '../../connectors/linkedin-dmp/errors.js';
import { ConfigError, SystemError, TransientError } from '../../core/errors.js';

const ctx = { method: 'POST', path: '/dmpSegments/1/users', version: '202610' };
const body = (status: number, message: string) => ({
  status,
  body: { status, serviceErrorCode: 101, message },
});

describe('HTTP -> error taxonomy', () => {
  it('401 is an UnauthorizedError (a ConfigError once the refresh is spent)', () => {
    const e = classifyFailure(body(401, 'Empty oauth2_access_token'), ctx);
    expect(e).toBeInstanceOf(UnauthorizedError);
    expect(e).toBeInstanceOf(ConfigError);
  });

  it('403 is a ConfigError about the role', () => {
    const e = classifyFailure(body(403, 'No WRITE access to urn:li:sponsoredAccount:1'), ctx);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/VIEWER/);
  });

  it('426 names the linkedinVersion key', () => {
    const e = classifyFailure(body(426, 'NONEXISTENT_VERSION'), ctx) as ConfigError;
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.keyPath).toBe('linkedinVersion');
    expect(e.message).toContain('202610');
  });

  it('per-minute 429 waits the rest of the window; daily 429 is its own kind', () => {
    const minute = classifyFailure(body(429, 'Too Many Requests'), { ...ctx, windowRemainingMs: 1234 });
    expect(minute).toBeInstanceOf(LinkedInTransientError);
    expect((minute as LinkedInTransientError).kind).toBe('throttle-minute');
    expect((minute as TransientError).retryAfterMs).toBe(1234);
    const day = classifyFailure(
      body(
        429,
        'Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached',
      ),
      ctx,
    );
    expect((day as LinkedInTransientError).kind).toBe('throttle-day');
  });

  it('429 SEGMENT_LIMIT_EXCEEDED is a ConfigError, not a throttle', () => {
    expect(classifyFailure(body(429, 'SEGMENT_LIMIT_EXCEEDED'), ctx)).toBeInstanceOf(ConfigError);
  });

  it('404 is transient only just after a create', () => {
    const after = classifyFailure(body(404, 'Could not find DMP segment with ID 1'), {
      ...ctx,
      notFoundIsTransient: true,
    });
    expect((after as LinkedInTransientError).kind).toBe('not-found-after-create');
    expect(classifyFailure(body(404, 'not found'), ctx)).toBeInstanceOf(ConfigError);
  });

  it('409 and 5xx are transient; other 4xx are config or system errors', () => {
    expect(classifyFailure(body(409, 'conflict'), ctx)).toBeInstanceOf(TransientError);
    for (const s of [500, 502, 503, 504])
      expect(classifyFailure(body(s, 'oops'), ctx)).toBeInstanceOf(TransientError);
    expect(classifyFailure(body(400, 'bad sourcePlatform'), ctx)).toBeInstanceOf(ConfigError);
    expect(classifyFailure(body(415, 'unsupported media type'), ctx)).toBeInstanceOf(SystemError);
  });

  it('network failures are transient', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const fetchFailed = new TypeError('fetch failed', { cause: reset });
    const e = classifyFailure({ error: fetchFailed }, ctx);
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('ECONNRESET');
    expect(classifyFailure({ error: new Error('socket hang up') }, ctx)).toBeInstanceOf(TransientError);
    expect(classifyFailure({ error: new RangeError('bug') }, ctx)).toBeInstanceOf(SystemError);
  });

  it('scrubs secrets and emails out of LinkedIn messages', () => {
    const e = classifyFailure(body(400, 'bad value jane@example.com with token SECRET-TOKEN-1'), {
      ...ctx,
      redact: (s) => s.split('SECRET-TOKEN-1').join('[redacted]'),
    });
    expect(e.message).not.toContain('jane@example.com');
    expect(e.message).not.toContain('SECRET-TOKEN-1');
  });
});
