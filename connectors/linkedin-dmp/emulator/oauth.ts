/**
 * Access tokens and the refresh-token grant of POST /oauth/v2/accessToken. Minted access tokens live
 * 60 days; a refresh token lives 365 days from when the emulator first knew it, and refreshing does not
 * extend it (LinkedIn's programmatic refresh tokens).
 */
import type { Reply } from './http.js';
import { mulberry32 } from './prng.js';
import type { OAuthClient } from './types.js';

export type TokenState = 'ok' | 'invalid' | 'expired';

export const ACCESS_TOKEN_TTL_S = 5_184_000;
export const REFRESH_TOKEN_TTL_S = 31_536_000;
const SCOPE = 'rw_ads,rw_dmp_segments';

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}

export class TokenStore {
  private readonly configured: Set<string> | undefined;
  private readonly clients: OAuthClient[] | undefined;
  /** Minted access token -> expiry (ms). */
  private readonly minted = new Map<string, number>();
  private readonly expired = new Set<string>();
  /** Tokens accepted so far when any token is accepted, so an expiry fault can expire them. */
  private readonly seen = new Set<string>();
  /** Refresh token -> when the emulator first knew it (ms). */
  private readonly refreshIssued = new Map<string, number>();
  private readonly random: () => number;
  private mintedCount = 0;

  constructor(
    opts: { accessTokens?: string[]; oauthClients?: OAuthClient[]; seed: number },
    private readonly now: () => number,
  ) {
    this.configured = opts.accessTokens ? new Set(opts.accessTokens) : undefined;
    this.clients = opts.oauthClients;
    this.random = mulberry32(opts.seed ^ 0x70c3e5);
    const start = now();
    for (const c of this.clients ?? []) for (const rt of c.refreshTokens) this.refreshIssued.set(rt, start);
  }

  check(token: string): TokenState {
    if (this.expired.has(token)) return 'expired';
    const expiry = this.minted.get(token);
    if (expiry !== undefined) return this.now() < expiry ? 'ok' : 'expired';
    if (this.configured) return this.configured.has(token) ? 'ok' : 'invalid';
    this.seen.add(token);
    return 'ok';
  }

  /** Every access token known so far stops working; tokens minted afterwards are valid. */
  expireAll(): void {
    for (const t of this.configured ?? []) this.expired.add(t);
    for (const t of this.minted.keys()) this.expired.add(t);
    for (const t of this.seen) this.expired.add(t);
    this.minted.clear();
    this.seen.clear();
  }

  private mint(): string {
    const hex = Array.from({ length: 4 }, () =>
      Math.floor(this.random() * 0x100000000)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
    return `AQemu${(++this.mintedCount).toString(36)}_${hex}`;
  }

  /** Handles a form-encoded token request; only grant_type=refresh_token is supported. */
  refresh(form: URLSearchParams): Reply {
    const grant = form.get('grant_type');
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    const refreshToken = form.get('refresh_token');
    if (!grant) return oauthError(400, 'invalid_request', 'A required parameter "grant_type" is missing');
    if (grant !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', 'The emulator supports grant_type=refresh_token only');
    }
    if (!clientId || !clientSecret) {
      return oauthError(
        401,
        'invalid_client',
        'Client authentication failed: client_id and client_secret are required',
      );
    }
    const client = this.clients?.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (this.clients && !client) return oauthError(401, 'invalid_client', 'Client authentication failed');
    if (!refreshToken)
      return oauthError(400, 'invalid_request', 'A required parameter "refresh_token" is missing');
    if (client && !client.refreshTokens.includes(refreshToken)) {
      return oauthError(400, 'invalid_grant', 'The provided refresh token is invalid, expired or revoked');
    }
    const now = this.now();
    let issued = this.refreshIssued.get(refreshToken);
    if (issued === undefined) {
      issued = now;
      this.refreshIssued.set(refreshToken, now);
    }
    const remainingS = Math.floor((issued + REFRESH_TOKEN_TTL_S * 1000 - now) / 1000);
    if (remainingS <= 0)
      return oauthError(400, 'invalid_grant', 'The provided refresh token is invalid, expired or revoked');
    const accessToken = this.mint();
    this.minted.set(accessToken, now + ACCESS_TOKEN_TTL_S * 1000);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: ACCESS_TOKEN_TTL_S,
        refresh_token: refreshToken,
        refresh_token_expires_in: remainingS,
        scope: SCOPE,
      },
    };
  }
}
