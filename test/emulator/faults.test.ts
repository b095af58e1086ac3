import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { batch, call, createSegment, sha256, userAdd } from './helpers.js';

describe('emulator faults', () => {
  let emu: Emulator;
  let seg: string;
  beforeAll(async () => {
    emu = await startEmulator({
      segmentReadyDelayMs: 0,
      accessTokens: ['initial'],
      oauthClients: [{ clientId: 'cid', clientSecret: 'secret', refreshTokens: ['rt-1'] }],
    });
  });
  afterAll(() => emu.close());

  const send = (email: string, token = 'initial') => batch(emu, seg, 'users', [userAdd(email)], { token });
  const hashes = () => emu.members(seg).map((m) => (m.userIds as { idValue: string }[])[0]!.idValue);

  it('error5xx: the next `count` matching requests fail with the status, not applied', async () => {
    seg = await createSegment(emu, {}, 'initial');
    emu.resetStats();
    emu.setFaults({ error5xx: { count: 2, status: 502 } });
    const first = await send('a@x.io');
    expect(first.status).toBe(502);
    expect(first.json).toMatchObject({ status: 502, serviceErrorCode: 502 });
    expect((await send('a@x.io')).status).toBe(502);
    expect(hashes()).toEqual([]);
    expect((await send('a@x.io')).status).toBe(200);
    expect(emu.stats().faultsInjected).toBe(2);
    emu.setFaults({ error5xx: { count: 1 } });
    expect((await send('b@x.io')).status).toBe(503);
  });

  it('faults only hit requests whose path matches `paths`', async () => {
    emu.setFaults({ error5xx: { count: 5 }, paths: ['/companies'] });
    expect((await send('c@x.io')).status).toBe(200);
    emu.setFaults({ error5xx: { count: 1 } });
    expect((await call(emu, 'GET', `/dmpSegments/${seg}`, { token: 'initial' })).status).toBe(200);
    expect((await send('c@x.io')).status).toBe(503);
    emu.setFaults({});
  });

  it('resetBeforeApply: the connection drops and the request is NOT applied', async () => {
    seg = await createSegment(emu, {}, 'initial');
    emu.setFaults({ resetBeforeApply: { count: 1 } });
    await expect(send('reset-before@x.io')).rejects.toThrow();
    expect(hashes()).toEqual([]);
    expect((await send('after@x.io')).status).toBe(200);
    expect(hashes()).toEqual([sha256('after@x.io')]);
  });

  it('resetAfterApply: the request IS applied, then the connection drops without a response', async () => {
    seg = await createSegment(emu, {}, 'initial');
    emu.setFaults({ resetAfterApply: { count: 1 } });
    await expect(send('reset-after@x.io')).rejects.toThrow();
    expect(hashes()).toEqual([sha256('reset-after@x.io')]);
    expect((await send('reset-after@x.io')).status).toBe(200);
  });

  it('throttle429: per-minute and daily bodies', async () => {
    emu.resetStats();
    emu.setFaults({ throttle429: { count: 1 } });
    expect((await send('t@x.io')).json).toEqual({
      serviceErrorCode: 101,
      message: 'Too Many Requests',
      status: 429,
    });
    emu.setFaults({ throttle429: { count: 1, daily: true } });
    const daily = await send('t@x.io');
    expect(daily.status).toBe(429);
    expect((daily.json as { message: string }).message).toContain('APPLICATION_AND_MEMBER DAY');
    expect((await send('t@x.io')).status).toBe(200);
    expect(emu.stats()).toMatchObject({ throttled: 2, faultsInjected: 2 });
  });

  it('latencyMs delays matching requests only', async () => {
    emu.setFaults({ latencyMs: 1500 });
    const order: string[] = [];
    const slow = send('slow@x.io').then((r) => order.push(`users:${r.status}`));
    await call(emu, 'GET', `/dmpSegments/${seg}`, { token: 'initial' }).then((r) =>
      order.push(`get:${r.status}`),
    );
    await slow;
    expect(order).toEqual(['get:200', 'users:200']);
    emu.setFaults({});
  });

  it('rate faults are seeded: the same seed gives the same pattern', async () => {
    const pattern = async () => {
      const e = await startEmulator({ segmentReadyDelayMs: 0, seed: 42 });
      try {
        const id = await createSegment(e);
        e.setFaults({ error5xx: { rate: 0.5 } });
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push((await batch(e, id, 'users', [userAdd(`${i}@x.io`)])).status);
        return out;
      } finally {
        await e.close();
      }
    };
    const first = await pattern();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  it('expireTokenAfterRequests: tokens expire after N requests; a refreshed token works', async () => {
    emu.setFaults({ expireTokenAfterRequests: 2 });
    expect((await send('e1@x.io')).status).toBe(200);
    expect((await send('e2@x.io')).status).toBe(200);
    const expired = await send('e3@x.io');
    expect(expired.status).toBe(401);
    expect((expired.json as { message: string }).message).toMatch(/expired/);
    expect((await call(emu, 'GET', `/dmpSegments/${seg}`, { token: 'initial' })).status).toBe(401);

    const res = await fetch(emu.oauthUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'rt-1',
        client_id: 'cid',
        client_secret: 'secret',
      }),
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await send('e3@x.io', access_token)).status).toBe(200);
    expect(hashes()).toContain(sha256('e3@x.io'));
  });

  it('setFaults rejects an invalid Faults object', () => {
    expect(() => emu.setFaults({ error5xx: { rate: 2 } })).toThrow(/rate/);
    expect(() => emu.setFaults({ error5xx: { status: 404 } })).toThrow(/status/);
    expect(() => emu.setFaults({ bogus: 1 } as never)).toThrow(/bogus/);
  });
});
