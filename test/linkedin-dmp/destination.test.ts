import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DmpSegment } from '../../connectors/linkedin-dmp/client.js';
import { LinkedInDmpConfig } from '../../connectors/linkedin-dmp/config.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { linkedinDmpDestination } from '../../connectors/linkedin-dmp/index.js';
import { BUILDING_WARN_MS, describeSegment, readStatus } from '../../connectors/linkedin-dmp/status.js';
import { LINKEDIN_VERSION } from '../../connectors/linkedin-dmp/versioning.js';
import { ConfigError } from '../../core/errors.js';
import { ACCOUNT, PLATFORM, pluginContext, testConfig, testConnect, user } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0, accessTokens: ['good-token-1'] });
});
afterAll(async () => {
  await emu?.close();
});

const minimal = {
  auth: { accessToken: 'good-token-1' },
  adAccount: 516848833,
  sourcePlatform: PLATFORM,
  segments: [{ sourceSegmentId: 'a', name: 'A' }],
};

describe('config', () => {
  it('fills defaults and normalizes the ad account', () => {
    const c = LinkedInDmpConfig.parse(minimal);
    expect(c).toMatchObject({
      baseUrl: 'https://api.linkedin.com/rest',
      oauthUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      linkedinVersion: LINKEDIN_VERSION,
      adAccount: ACCOUNT,
      rateLimits: { usersPerMinute: 500, companiesPerMinute: 200, windowMs: 60_000 },
      retry: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 },
      createWaitMs: 5000,
      batchSize: 5000,
      concurrency: 4,
    });
    expect(c.segments[0]).toEqual({ sourceSegmentId: 'a', name: 'A', type: 'USER', route: 'a' });
    expect(LinkedInDmpConfig.parse({ ...minimal, adAccount: ACCOUNT }).adAccount).toBe(ACCOUNT);
  });

  it('refuses duplicates, bad accounts, oversized batches and unknown keys with clear messages', () => {
    const dup = LinkedInDmpConfig.safeParse({
      ...minimal,
      segments: [
        { sourceSegmentId: 'a', name: 'A' },
        { sourceSegmentId: 'a', name: 'B' },
      ],
    });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.path).toEqual(['segments', 1, 'sourceSegmentId']);
    expect(dup.error?.issues[0]?.message).toMatch(/duplicate sourceSegmentId "a" \(also segments\[0\]\)/);
    expect(LinkedInDmpConfig.safeParse({ ...minimal, adAccount: 'urn:li:organization:1' }).success).toBe(
      false,
    );
    expect(LinkedInDmpConfig.safeParse({ ...minimal, batchSize: 5001 }).success).toBe(false);
    expect(LinkedInDmpConfig.safeParse({ ...minimal, linkedinVersion: '2026-10' }).success).toBe(false);
    expect(LinkedInDmpConfig.safeParse({ ...minimal, sourcePlatform: undefined }).success).toBe(false);
    expect(LinkedInDmpConfig.safeParse({ ...minimal, typo: 1 }).success).toBe(false);
  });

  it('accepts the refresh-token form and describes every key in its JSON Schema, secrets marked', () => {
    const c = LinkedInDmpConfig.parse({
      ...minimal,
      auth: { refreshToken: 'r', clientId: 'i', clientSecret: 's' },
    });
    expect(c.auth).toEqual({ refreshToken: 'r', clientId: 'i', clientSecret: 's' });
    const schema = JSON.stringify(z.toJSONSchema(LinkedInDmpConfig, { io: 'input' }));
    expect(schema.match(/"airbyte_secret":true/g)?.length).toBe(4);
    const props = (
      z.toJSONSchema(LinkedInDmpConfig, { io: 'input' }) as {
        properties: Record<string, { description?: string }>;
      }
    ).properties;
    for (const [key, p] of Object.entries(props)) expect(p.description, key).toBeTruthy();
  });
});

describe('linkedin-dmp destination', () => {
  it('is named linkedin-dmp', () => {
    expect(linkedinDmpDestination).toMatchObject({ kind: 'destination', name: 'linkedin-dmp' });
  });

  it('check passes with a working token and fails clearly on a 401', async () => {
    const ok = testConfig(emu, { auth: { accessToken: 'good-token-1' } });
    await expect(linkedinDmpDestination.check(ok, pluginContext())).resolves.toBeUndefined();
    const bad = testConfig(emu, { auth: { accessToken: 'bad-token-2' } });
    const err = await linkedinDmpDestination.check(bad, pluginContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/401.*access token rejected/);
    expect((err as Error).message).not.toContain('bad-token-2');
  });

  it('check refuses a configured segment that exists with another type', async () => {
    const cfg = testConfig(emu, {
      auth: { accessToken: 'good-token-1' },
      segments: [{ sourceSegmentId: 'clash', name: 'Clash' }],
    });
    await testConnect(cfg).client.createSegment({
      name: 'Clash',
      account: ACCOUNT,
      type: 'COMPANY',
      sourcePlatform: PLATFORM,
      sourceSegmentId: 'clash',
    });
    const err = await linkedinDmpDestination.check(cfg, pluginContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('segments[0].type');
  });

  it('check refuses a member who is only a VIEWER on the ad account, when LinkedIn says so', async () => {
    // A minimal real server for the two reads check makes (the emulator has no adAccountUsers).
    let role = 'VIEWER';
    const server = createServer((req, res) => {
      const body = req.url?.startsWith('/rest/adAccountUsers')
        ? { elements: [{ account: ACCOUNT, role, user: 'urn:li:person:x' }], paging: { start: 0, count: 10 } }
        : { elements: [], paging: { start: 0, count: 100, total: 0 } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const cfg = testConfig(emu, { baseUrl: `http://127.0.0.1:${port}/rest` });
      const err = await linkedinDmpDestination.check(cfg, pluginContext()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).keyPath).toBe('adAccount');
      expect((err as Error).message).toMatch(/VIEWER/);
      role = 'CAMPAIGN_MANAGER';
      await expect(linkedinDmpDestination.check(cfg, pluginContext())).resolves.toBeUndefined();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('open returns a session over the configured segments', async () => {
    const cfg = testConfig(emu, {
      auth: { accessToken: 'good-token-1' },
      batchSize: 100,
      segments: [
        { sourceSegmentId: 'open-u', name: 'Users' },
        { sourceSegmentId: 'open-c', name: 'Companies', type: 'COMPANY' },
      ],
    });
    const session = await linkedinDmpDestination.open(cfg, pluginContext());
    expect(session.segments).toEqual([
      { key: 'open-u', name: 'Users', type: 'USER', route: 'open-u' },
      { key: 'open-c', name: 'Companies', type: 'COMPANY', route: 'open-c' },
    ]);
    expect(session.maxBatchSize).toBe(100);
    const seg = (await session.resolveSegment(session.segments[0]!, { create: true }))!;
    expect(await session.sendBatch(seg, 'ADD', [{ key: 'k', payload: user(42) }])).toEqual([{ ok: true }]);
    expect(session.stats().requests).toBeGreaterThanOrEqual(4);
    await session.close();
  });
});

describe('status read-back', () => {
  it('reports status, sizes and warnings for each configured segment', async () => {
    const cfg = testConfig(emu, {
      auth: { accessToken: 'good-token-1' },
      segments: [
        { sourceSegmentId: 'st-small', name: 'Small' },
        { sourceSegmentId: 'st-expired', name: 'Expired' },
        { sourceSegmentId: 'st-missing', name: 'Missing' },
      ],
    });
    const session = await linkedinDmpDestination.open(cfg, pluginContext());
    const small = (await session.resolveSegment(session.segments[0]!, { create: true }))!;
    const expired = (await session.resolveSegment(session.segments[1]!, { create: true }))!;
    await session.sendBatch(small, 'ADD', [{ key: 'k', payload: user(7) }]);
    emu.setSegmentStatus(small.remoteId, 'READY');
    emu.setSegmentStatus(expired.remoteId, 'EXPIRED');
    const report = await readStatus(testConnect(cfg).client, cfg);
    expect(report.map((r) => [r.sourceSegmentId, r.found, r.status])).toEqual([
      ['st-small', true, 'READY'],
      ['st-expired', true, 'EXPIRED'],
      ['st-missing', false, undefined],
    ]);
    expect(report[0]?.audienceSize).toBeTypeOf('number');
    expect(report[0]?.warnings.join()).toMatch(/under 300/);
    expect(report[1]?.warnings.join()).toMatch(/EXPIRED/);
    expect(report[2]?.warnings.join()).toMatch(/not found/);
  });

  it('warns about ARCHIVED, FAILED and BUILDING for more than 72 hours', () => {
    const spec = { sourceSegmentId: 's', name: 'S', type: 'USER' as const, route: 's' };
    const seg = (status: string, created: number): DmpSegment => ({
      id: '1',
      name: 'S',
      account: ACCOUNT,
      type: 'USER',
      sourcePlatform: PLATFORM,
      sourceSegmentId: 's',
      created,
      destinations: [{ destination: 'LINKEDIN', status, created }],
    });
    const now = 10 * BUILDING_WARN_MS;
    expect(describeSegment(spec, seg('BUILDING', now - BUILDING_WARN_MS - 1), now).warnings.join()).toMatch(
      /BUILDING for 72 hours/,
    );
    expect(describeSegment(spec, seg('BUILDING', now - 3600_000), now).warnings).toEqual([]);
    expect(describeSegment(spec, seg('ARCHIVED', now), now).warnings.join()).toMatch(/ARCHIVED/);
    expect(describeSegment(spec, seg('FAILED', now), now).warnings.join()).toMatch(/FAILED/);
  });
});
