/** OAuth through real processes: refresh once on an expired token; a revoked refresh token is a config error. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, people } from './fixture.js';

let f: Fixture;
afterEach(async () => f?.close());

const REFRESH = 'rt-SECRET-refresh-4f9a';
const CLIENT_SECRET = 'cs-SECRET-client-77b1';
const STATIC = 'at-SECRET-static-0c2e';
const auth = (refreshToken: string) => ({
  destination: {
    batchSize: 10,
    auth: { refreshToken, clientId: 'crash-app', clientSecret: CLIENT_SECRET, accessToken: STATIC },
  },
});
const emulator = {
  accessTokens: [STATIC],
  oauthClients: [{ clientId: 'crash-app', clientSecret: CLIENT_SECRET, refreshTokens: [REFRESH] }],
};

function expectNoSecrets(...texts: string[]): void {
  for (const t of texts) {
    for (const s of [REFRESH, CLIENT_SECRET, STATIC]) expect(t).not.toContain(s);
    expect(t).not.toMatch(/person\d+@example\.com/i);
  }
}

describe('OAuth', () => {
  it('an access token that expires mid-run is refreshed once and the request retried', async () => {
    f = await fixture({ emulator, pipeline: auth(REFRESH) });
    f.emu.setFaults({ expireTokenAfterRequests: 3, paths: ['/users'] });
    f.write(people(1, 100));
    const { r, report } = await f.sync(['--log-level', 'debug']);
    expect(r.code, r.stderr).toBe(0);
    expect(f.members()).toEqual(f.expected());
    expect(f.emu.stats().requests['POST /oauth/v2/accessToken']).toBe(1);
    expect(report!.totals.acknowledged).toBe(100);
    expectNoSecrets(r.stdout, r.stderr, readFileSync(f.reportFile, 'utf8'));
  });

  it('a revoked refresh token ends the run with a clear message and exit 2', async () => {
    f = await fixture({ emulator, pipeline: auth('rt-SECRET-revoked-9d0b') });
    f.emu.setFaults({ expireTokenAfterRequests: 1, paths: ['/users'] });
    f.write(people(1, 40));
    const { r, report } = await f.sync(['--log-level', 'debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refresh token revoked or expired');
    expect(report!.error!.failureType).toBe('config_error');
    expectNoSecrets(r.stdout, r.stderr, readFileSync(f.reportFile, 'utf8'));
    expect(r.stdout + r.stderr).not.toContain('rt-SECRET-revoked-9d0b');
  });
});
