import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { batch, call, createSegment, manualClock, userAdd } from './helpers.js';

const MINUTE = { serviceErrorCode: 101, message: 'Too Many Requests', status: 429 };

describe('emulator rate limits', () => {
  it('limits each token and endpoint family per fixed window, and resets with the next window', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
    const emu = await startEmulator({
      segmentReadyDelayMs: 0,
      rateLimit: { usersPerWindow: 3, companiesPerWindow: 2, windowMs: 1000 },
      now: clock.now,
    });
    try {
      const users = await createSegment(emu);
      const companies = await createSegment(emu, { type: 'COMPANY' });
      for (let i = 0; i < 3; i++)
        expect((await batch(emu, users, 'users', [userAdd(`${i}@x.io`)])).status).toBe(200);
      const throttled = await batch(emu, users, 'users', [userAdd('late@x.io')]);
      expect(throttled.status).toBe(429);
      expect(throttled.json).toEqual(MINUTE);
      expect(emu.members(users)).toHaveLength(3);

      // Other token, other family and non-streaming calls are not affected.
      expect((await batch(emu, users, 'users', [userAdd('o@x.io')], { token: 'other' })).status).toBe(200);
      expect((await batch(emu, companies, 'companies', [{ action: 'ADD', companyName: 'A' }])).status).toBe(
        200,
      );
      expect((await call(emu, 'GET', `/dmpSegments/${users}`)).status).toBe(200);
      expect((await batch(emu, companies, 'companies', [{ action: 'ADD', companyName: 'B' }])).status).toBe(
        200,
      );
      expect((await batch(emu, companies, 'companies', [{ action: 'ADD', companyName: 'C' }])).status).toBe(
        429,
      );

      clock.advance(1000);
      expect((await batch(emu, users, 'users', [userAdd('late@x.io')])).status).toBe(200);
      expect(emu.stats().throttled).toBe(2);
    } finally {
      await emu.close();
    }
  });

  it('applies an optional daily limit per token with the documented DAY body', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 5, 23, 59, 0));
    const emu = await startEmulator({
      segmentReadyDelayMs: 0,
      rateLimit: { usersPerWindow: 0, dailyPerToken: 2 },
      now: clock.now,
    });
    try {
      const seg = await createSegment(emu);
      expect((await batch(emu, seg, 'users', [userAdd('a@x.io')])).status).toBe(200);
      expect((await call(emu, 'POST', `/dmpSegments/${seg}/users`, { body: userAdd('b@x.io') })).status).toBe(
        201,
      );
      const over = await batch(emu, seg, 'users', [userAdd('c@x.io')]);
      expect(over.status).toBe(429);
      expect(over.json).toEqual({
        serviceErrorCode: 101,
        message:
          'Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached',
        status: 429,
      });
      clock.advance(60_000); // next UTC day
      expect((await batch(emu, seg, 'users', [userAdd('c@x.io')])).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it('0 disables a limit', async () => {
    const emu = await startEmulator({ segmentReadyDelayMs: 0, rateLimit: { usersPerWindow: 0 } });
    try {
      const seg = await createSegment(emu);
      const statuses = await Promise.all(
        Array.from({ length: 501 }, (_, i) =>
          batch(emu, seg, 'users', [userAdd(`${i}@x.io`)]).then((r) => r.status),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([200]));
    } finally {
      await emu.close();
    }
  });
});
