import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { call, manualClock } from './helpers.js';

async function token(
  emu: Emulator,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(emu.oauthUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const GOOD = {
  grant_type: 'refresh_token',
  refresh_token: 'rt-1',
  client_id: 'cid',
  client_secret: 'secret',
};

describe('emulator OAuth refresh-token grant', () => {
  const clock = manualClock();
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      accessTokens: ['static'],
      oauthClients: [{ clientId: 'cid', clientSecret: 'secret', refreshTokens: ['rt-1'] }],
      now: clock.now,
    });
  });
  afterAll(() => emu.close());

  it('mints an access token that the API accepts', async () => {
    const res = await token(emu, GOOD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      expires_in: 5_184_000,
      refresh_token: 'rt-1',
      scope: expect.any(String),
    });
    expect(res.body.refresh_token_expires_in).toBe(31_536_000);
    const minted = res.body.access_token as string;
    expect((await call(emu, 'GET', '/dmpSegments/1', { token: minted })).status).toBe(404);
    expect((await call(emu, 'GET', '/dmpSegments/1', { token: 'not-minted' })).status).toBe(401);
  });

  it('answers invalid_client for a bad client and invalid_grant for an unknown refresh token', async () => {
    const badSecret = await token(emu, { ...GOOD, client_secret: 'nope' });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body.error).toBe('invalid_client');
    const badGrant = await token(emu, { ...GOOD, refresh_token: 'rt-unknown' });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body).toMatchObject({ error: 'invalid_grant', error_description: expect.any(String) });
    const otherGrant = await token(emu, { ...GOOD, grant_type: 'authorization_code' });
    expect(otherGrant.status).toBe(400);
    expect(otherGrant.body.error).toBe('unsupported_grant_type');
  });

  it('minted tokens expire after 60 days; the refresh token after 365 days and is not extended', async () => {
    const minted = (await token(emu, GOOD)).body.access_token as string;
    clock.advance(59 * 86_400_000);
    expect((await call(emu, 'GET', '/dmpSegments/1', { token: minted })).status).toBe(404);
    const later = await token(emu, GOOD);
    expect(later.body.refresh_token_expires_in).toBe(31_536_000 - 59 * 86_400);
    clock.advance(2 * 86_400_000);
    const expired = await call(emu, 'GET', '/dmpSegments/1', { token: minted });
    expect(expired.status).toBe(401);
    expect((expired.json as { message: string }).message).toMatch(/expired/);
    clock.advance(310 * 86_400_000);
    const dead = await token(emu, GOOD);
    expect(dead.status).toBe(400);
    expect(dead.body.error).toBe('invalid_grant');
  });
});

describe('emulator OAuth without configured clients', () => {
  it('accepts any client and refresh token', async () => {
    const emu = await startEmulator({ accessTokens: ['x'] });
    try {
      const res = await token(emu, { ...GOOD, client_id: 'any', refresh_token: 'whatever' });
      expect(res.status).toBe(200);
      expect(
        (await call(emu, 'GET', '/dmpSegments/1', { token: res.body.access_token as string })).status,
      ).toBe(404);
      const missing = await token(emu, { grant_type: 'refresh_token', client_id: 'a', client_secret: 'b' });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('invalid_request');
    } finally {
      await emu.close();
    }
  });
});
