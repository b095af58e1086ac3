import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkedInDmpClient } from '../../connectors/linkedin-dmp/client.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ACCOUNT, PLATFORM, sha, testConfig, testConnect, users } from './helpers.js';

let emu: Emulator;
let client: LinkedInDmpClient;

beforeAll(async () => {
  emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 60_000 });
  client = testConnect(testConfig(emu)).client;
});
afterAll(async () => {
  await emu?.close();
});

const create = (sourceSegmentId: string, type: 'USER' | 'COMPANY' = 'USER') =>
  client.createSegment({
    name: `Seg ${sourceSegmentId}`,
    account: ACCOUNT,
    type,
    sourcePlatform: PLATFORM,
    sourceSegmentId,
  });

describe('LinkedInDmpClient against the emulator', () => {
  it('creates a segment (id from x-restli-id) and gets it', async () => {
    const id = await create('c-1');
    expect(id).toMatch(/^\d+$/);
    const seg = await client.getSegment(id);
    expect(seg).toMatchObject({
      id,
      account: ACCOUNT,
      type: 'USER',
      sourcePlatform: PLATFORM,
      sourceSegmentId: 'c-1',
    });
    expect(seg?.destinations[0]?.status).toBe('BUILDING');
    expect(await client.getSegment('999999999')).toBeNull();
  });

  it('batch-gets several ids, leaving unknown ones out', async () => {
    const a = await create('c-2');
    const b = await create('c-3');
    const got = await client.batchGetSegments([a, b, '888888888']);
    expect(Object.keys(got).sort()).toEqual([a, b].sort());
    expect(got[a]?.sourceSegmentId).toBe('c-2');
    expect(await client.batchGetSegments([])).toEqual({});
  });

  it('finds by account with filters, paging and "all"', async () => {
    const made = [await create('f-1'), await create('f-2'), await create('f-3')];
    const one = await client.findByAccount({
      account: ACCOUNT,
      sourcePlatform: PLATFORM,
      sourceSegmentId: 'f-2',
    });
    expect(one.elements.map((s) => s.id)).toEqual([made[1]]);
    const page = await client.findByAccount({ account: ACCOUNT, start: 0, count: 2 });
    expect(page.elements).toHaveLength(2);
    expect(page.paging?.count).toBe(2);
    const all = await client.findByAccount({ account: ACCOUNT });
    const paged = await client.findAllByAccount({ account: ACCOUNT }, 2);
    expect(paged.map((s) => s.id)).toEqual(all.elements.map((s) => s.id));
    for (const id of made) expect(paged.map((s) => s.id)).toContain(id);
    const other = await client.findAllByAccount({ account: ACCOUNT, sourcePlatform: 'SOMEONE_ELSE' });
    expect(other).toEqual([]);
  });

  it('partially updates name, description and sourceSegmentId', async () => {
    const id = await create('u-1');
    await client.updateSegment(id, { name: 'Renamed', description: 'desc', sourceSegmentId: 'u-1b' });
    expect(await client.getSegment(id)).toMatchObject({
      name: 'Renamed',
      description: 'desc',
      sourceSegmentId: 'u-1b',
    });
  });

  it('deletes one segment and batch-deletes several', async () => {
    const id = await create('d-1');
    expect(await client.deleteSegment(id)).toBe(true);
    expect(await client.deleteSegment(id)).toBe(false);
    const a = await create('d-2');
    const b = await create('d-3');
    const res = await client.batchDeleteSegments([a, b, '777777777']);
    expect(res[a]).toEqual({ ok: true, status: 204 });
    expect(res[b]).toEqual({ ok: true, status: 204 });
    expect(res['777777777']?.ok).toBe(false);
    expect(await client.getSegment(a)).toBeNull();
  });

  it('creates, gets and lists destinations', async () => {
    const id = await create('dest-1');
    const d = await client.getDestination(id);
    expect(d).toMatchObject({ destination: 'LINKEDIN', status: 'BUILDING' });
    expect(d?.destinationSegmentId).toMatch(/^urn:li:adSegment:\d+$/);
    const list = await client.listDestinations(id);
    expect(list.map((x) => x.destination)).toEqual(['LINKEDIN']);
    // A segment created without destinations gets one added later.
    const res = await client.http.request({
      method: 'POST',
      path: '/dmpSegments',
      json: { name: 'bare', account: ACCOUNT, type: 'USER', sourcePlatform: PLATFORM, destinations: [] },
    });
    const bare = res.headers.get('x-restli-id')!;
    expect(await client.listDestinations(bare)).toEqual([]);
    await client.createDestination(bare);
    expect((await client.getDestination(bare))?.destination).toBe('LINKEDIN');
  });

  it('streams single users and companies, and batches of both', async () => {
    const u = await create('s-users');
    const c = await create('s-companies', 'COMPANY');
    await client.streamOne('users', u, {
      action: 'ADD',
      userIds: [{ idType: 'SHA256_EMAIL', idValue: sha(1) }],
    });
    const results = await client.streamBatch(
      'users',
      u,
      users(2, 3).map((m) => ({ action: 'ADD' as const, ...m })),
    );
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(emu.members(u)).toHaveLength(4);
    await client.streamOne('companies', c, {
      action: 'ADD',
      companyName: 'Microsoft',
      companyWebsiteDomain: 'microsoft.com',
    });
    const cr = await client.streamBatch('companies', c, [
      { action: 'ADD', companyName: 'LinkedIn', organizationUrn: 'urn:li:organization:1337' },
      { action: 'REMOVE', companyName: 'Microsoft', companyWebsiteDomain: 'microsoft.com' },
    ]);
    expect(cr).toEqual([{ ok: true }, { ok: true }]);
    expect(emu.members(c)).toEqual([
      { companyName: 'LinkedIn', organizationUrn: 'urn:li:organization:1337' },
    ]);
  });

  it('gets, updates and finds ad segments (statuses, types, paging)', async () => {
    const id = await create('ad-1');
    const urn = (await client.getDestination(id))!.destinationSegmentId!;
    const adId = urn.split(':').pop()!;
    expect(await client.getAdSegment(adId)).toMatchObject({ id: adId, account: ACCOUNT, status: 'BUILDING' });
    await client.updateAdSegment(adId, { name: 'Ad renamed' });
    expect((await client.getAdSegment(adId))?.name).toBe('Ad renamed');
    const building = await client.findAdSegments({ accounts: [ACCOUNT], statuses: ['BUILDING'] });
    expect(building.elements.map((a) => a.id)).toContain(adId);
    const ready = await client.findAdSegments({ accounts: [ACCOUNT], statuses: ['READY'] });
    expect(ready.elements.map((a) => a.id)).not.toContain(adId);
    const paged = await client.findAdSegments({ accounts: [ACCOUNT], start: 0, count: 1 });
    expect(paged.elements).toHaveLength(1);
    const typed = await client.findAdSegments({ accounts: [ACCOUNT], types: ['BULK', 'MARKET_AUTOMATION'] });
    expect(
      typed.elements.length +
        (await client.findAdSegments({ accounts: [ACCOUNT], types: ['RETARGETING'] })).elements.length,
    ).toBe((await client.findAdSegments({ accounts: [ACCOUNT] })).elements.length);
    expect(await client.getAdSegment('123456789')).toBeNull();
  });

  it('uploads a CSV list and attaches it to a LIST_UPLOAD segment', async () => {
    const id = await client.createSegment({
      name: 'csv list',
      account: ACCOUNT,
      type: 'USER_LIST_UPLOAD',
      sourcePlatform: 'LIST_UPLOAD',
    });
    const urn = await client.uploadListFile(`email\n${sha(10)}\n${sha(11)}\n`);
    expect(urn).toMatch(/^urn:li:digitalmediaAsset:/);
    await client.attachListUpload(id, urn);
    const seg = emu.segments().find((s) => s.id === id);
    expect(seg?.listUploadFile).toBe(urn);
  });

  it('counts requests', () => {
    const stats = client.http.stats();
    expect(stats.requests).toBeGreaterThan(20);
    expect(stats.retries).toBe(0);
    expect(stats.throttled).toBe(0);
  });
});
