import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LinkedInDmpConfigInput } from '../../connectors/linkedin-dmp/config.js';
import { openSession } from '../../connectors/linkedin-dmp/destination.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ConfigError, TransientError } from '../../core/errors.js';
import type { Member, SegmentSpec } from '../../core/plugin.js';
import { ACCOUNT, testConfig, user } from './helpers.js';

const CLIENT = { clientId: 'app-1', clientSecret: 'client-secret-XYZ-123' };
const REFRESH = 'refresh-token-SECRET-456';
const STATIC = 'static-token-SECRET-789';
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    segmentReadyDelayMs: 0,
    accessTokens: [STATIC],
    oauthClients: [{ ...CLIENT, refreshTokens: [REFRESH] }],
  });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.setFaults({});
});

/** Every log line, to prove no secret is ever written. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

const spec = (key: string): SegmentSpec => ({ key, name: key, type: 'USER' });
let n = 0;
const members = (count: number): Member[] =>
  Array.from({ length: count }, () => ({ key: `m${++n}`, payload: user(1000 + n) }));

function session(
  key: string,
  auth: LinkedInDmpConfigInput['auth'],
  extra: Partial<LinkedInDmpConfigInput> = {},
) {
  const log = capture();
  const s = openSession(
    testConfig(emu, { auth, segments: [{ sourceSegmentId: key, name: key }], ...extra }),
    {
      logger: log.logger,
    },
  );
  return { s, log };
}

function expectNoSecret(text: string) {
  for (const secret of [STATIC, REFRESH, CLIENT.clientSecret, 'AQemu']) expect(text).not.toContain(secret);
}

function everything(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return [e.message, e.stack, JSON.stringify(e), String(e.cause), (e.cause as Error | undefined)?.stack].join(
    '\n',
  );
}

describe('tokens', () => {
  it('exchanges the refresh token, then refreshes once on expiry and carries on', async () => {
    const { s, log } = session('refresh', { ...CLIENT, refreshToken: REFRESH });
    const seg = (await s.resolveSegment(spec('refresh'), { create: true }))!;
    const oauthBefore = emu.stats().requests['POST /oauth/v2/accessToken'] ?? 0;
    emu.setFaults({ expireTokenAfterRequests: 2 });
    for (let i = 0; i < 5; i++)
      expect((await s.sendBatch(seg, 'ADD', members(3))).every((r) => r.ok)).toBe(true);
    expect(emu.members(seg.remoteId)).toHaveLength(15);
    expect((emu.stats().requests['POST /oauth/v2/accessToken'] ?? 0) - oauthBefore).toBe(1);
    expectNoSecret(log.text());
  });

  it('a revoked refresh token is a ConfigError asking to re-authorize', async () => {
    const { s } = session('revoked', { ...CLIENT, refreshToken: 'refresh-token-REVOKED-000' });
    const err = await s.resolveSegment(spec('revoked'), { create: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('refresh token revoked or expired: re-authorize');
    expect(everything(err)).not.toContain('refresh-token-REVOKED-000');
    expectNoSecret(everything(err));
  });

  it('wrong client credentials are a ConfigError naming clientId', async () => {
    const { s } = session('badclient', {
      clientId: 'app-1',
      clientSecret: 'wrong-secret-111',
      refreshToken: REFRESH,
    });
    const err = await s.resolveSegment(spec('badclient'), { create: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('auth.clientId');
    expect(everything(err)).not.toContain('wrong-secret-111');
  });

  it('a rejected static token is a ConfigError without the token in it', async () => {
    const { s, log } = session('badstatic', { accessToken: 'static-token-WRONG-321' });
    const err = await s.resolveSegment(spec('badstatic'), { create: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/401/);
    expect(everything(err)).not.toContain('static-token-WRONG-321');
    expect(log.text()).not.toContain('static-token-WRONG-321');
  });

  it('an expired static token fails clearly after one attempt to renew it', async () => {
    // Its own emulator: an expiry fault expires every token the emulator knows.
    const own = await startEmulator({ segmentReadyDelayMs: 0, accessTokens: [STATIC] });
    try {
      const log = capture();
      const s = openSession(testConfig(own, { auth: { accessToken: STATIC } }), { logger: log.logger });
      const seg = (await s.resolveSegment(spec('expstatic'), { create: true }))!;
      own.setFaults({ expireTokenAfterRequests: 1 });
      expect(await s.sendBatch(seg, 'ADD', members(1))).toEqual([{ ok: true }]);
      const err = await s.sendBatch(seg, 'ADD', members(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/401.*expired/);
      expect(s.stats().requests).toBe(5); // finder, create, finder again, two batches: no blind retry
      expectNoSecret(everything(err));
      expectNoSecret(log.text());
    } finally {
      await own.close();
    }
  });

  it('network failures and retry logs never show the token', async () => {
    const dead = await startEmulator();
    const config = { ...testConfig(dead, { auth: { accessToken: STATIC } }) };
    await dead.close();
    const log = capture();
    const s = openSession({ ...config, retry: { ...config.retry, maxAttempts: 3 } }, { logger: log.logger });
    const err = await s.resolveSegment(spec('dead'), { create: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/network error .*ECONNREFUSED/);
    expect(log.text()).toContain('retrying');
    expectNoSecret(everything(err));
    expectNoSecret(log.text());
    expect(ACCOUNT).toMatch(/sponsoredAccount/);
  });
});
