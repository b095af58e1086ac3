/**
 * Access-token provider: a static `accessToken`, or a programmatic refresh token exchanged on
 * LinkedIn's OAuth endpoint (`grant_type=refresh_token`, form-encoded POST). After a 401 the HTTP
 * layer asks for one refresh and retries once; a revoked refresh token is a ConfigError.
 * No token, refresh token or client secret ever appears in an error message.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { classifyFailure, PLUGIN } from './errors.js';

export type AuthConfig =
  | { accessToken: string }
  | { refreshToken: string; clientId: string; clientSecret: string; accessToken?: string };

export interface TokenProvider {
  /** The token to send now (refreshed first when absent or about to expire). */
  token(): Promise<string>;
  /** Called after a 401 answered `rejected`; resolves false when no renewal is possible. */
  refresh(rejected: string): Promise<boolean>;
  /** Stable, non-secret id of the credential: keys the per-token rate limiter. */
  readonly identity: string;
  /** Every secret known here, so messages can be scrubbed of them. */
  secrets(): string[];
}

export interface TokenProviderOptions {
  oauthUrl: string;
  now: () => number;
  timeoutMs: number;
}

/** Refresh this long before LinkedIn's `expires_in` runs out. */
const EXPIRY_MARGIN_MS = 60_000;

export function hashIdentity(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

export function createTokenProvider(auth: AuthConfig, options: TokenProviderOptions): TokenProvider {
  if (!('refreshToken' in auth)) {
    const token = auth.accessToken;
    return {
      identity: hashIdentity('static', token),
      token: async () => token,
      refresh: async () => false,
      secrets: () => [token],
    };
  }
  return new RefreshingTokenProvider(auth, options);
}

class RefreshingTokenProvider implements TokenProvider {
  readonly identity: string;
  private current: string | undefined;
  private expiresAt = Number.POSITIVE_INFINITY;
  private refreshToken: string;
  private inflight: Promise<string> | undefined;
  private readonly issued: string[] = [];

  constructor(
    private readonly auth: {
      refreshToken: string;
      clientId: string;
      clientSecret: string;
      accessToken?: string;
    },
    private readonly options: TokenProviderOptions,
  ) {
    this.identity = hashIdentity('refresh', auth.clientId, auth.refreshToken);
    this.refreshToken = auth.refreshToken;
    this.current = auth.accessToken;
  }

  async token(): Promise<string> {
    if (this.current && this.options.now() < this.expiresAt - EXPIRY_MARGIN_MS) return this.current;
    return this.renew();
  }

  async refresh(rejected: string): Promise<boolean> {
    // Another request already renewed the token this one was sent with: just retry with the new one.
    if (this.current && this.current !== rejected) return true;
    await this.renew();
    return true;
  }

  secrets(): string[] {
    return [this.auth.refreshToken, this.refreshToken, this.auth.clientSecret, ...this.issued].filter(
      Boolean,
    );
  }

  /** Single-flight: concurrent 401s share one call to the token endpoint. */
  private renew(): Promise<string> {
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async exchange(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.refreshToken,
      client_id: this.auth.clientId,
      client_secret: this.auth.clientSecret,
    });
    const ctx = {
      method: 'POST',
      path: 'oauth accessToken',
      version: '',
      redact: (s: string) => this.redact(s),
    };
    let res: Response;
    try {
      res = await fetch(this.options.oauthUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw classifyFailure({ error }, ctx);
    }
    const body = await readJson(res);
    if (res.ok && typeof body.access_token === 'string' && body.access_token) {
      this.current = body.access_token;
      this.issued.push(body.access_token);
      const ttl = typeof body.expires_in === 'number' ? body.expires_in * 1000 : Number.POSITIVE_INFINITY;
      this.expiresAt = this.options.now() + ttl;
      // LinkedIn keeps the refresh token, but honour a rotated one if it is ever sent.
      if (typeof body.refresh_token === 'string' && body.refresh_token)
        this.refreshToken = body.refresh_token;
      return body.access_token;
    }
    const code = typeof body.error === 'string' ? body.error : '';
    if (code === 'invalid_grant') {
      throw new ConfigError('refresh token revoked or expired: re-authorize', {
        plugin: PLUGIN,
        keyPath: 'auth.refreshToken',
        fix: 'run the OAuth authorization again and store the new refresh token',
      });
    }
    if (code === 'invalid_client' || code === 'unauthorized_client' || res.status === 401) {
      throw new ConfigError(`the OAuth endpoint refused the client credentials (${code || res.status})`, {
        plugin: PLUGIN,
        keyPath: 'auth.clientId',
        fix: 'check clientId and clientSecret of the LinkedIn app',
      });
    }
    if (res.ok) {
      throw new ConfigError('the OAuth endpoint answered without an access_token', {
        plugin: PLUGIN,
        keyPath: 'oauthUrl',
      });
    }
    const description = typeof body.error_description === 'string' ? body.error_description : code;
    throw classifyFailure({ status: res.status, body: { message: description } }, ctx);
  }

  private redact(s: string): string {
    let out = s;
    for (const secret of this.secrets()) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
    return out;
  }
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
