import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ACCOUNT, batch, call, createSegment, manualClock, userAdd } from './helpers.js';

interface DestInfo {
  status: string;
  audienceSize?: number;
  matchedCount?: number;
  destinationSegmentId: string;
  lastModified: number;
}

describe('emulator destinations and status lifecycle', () => {
  const clock = manualClock();
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      segmentReadyDelayMs: 0,
      buildingToReadyMs: 2000,
      updatingToReadyMs: 1000,
      now: clock.now,
    });
  });
  afterAll(() => emu.close());

  const dest = async (id: string) =>
    (await call(emu, 'GET', `/dmpSegments/${id}/destinations/LINKEDIN`)).json as DestInfo;

  it('BUILDING -> READY -> UPDATING on a change -> READY, with audience figures only when READY', async () => {
    const id = await createSegment(emu);
    expect((await dest(id)).status).toBe('BUILDING');
    await batch(
      emu,
      id,
      'users',
      Array.from({ length: 100 }, (_, i) => userAdd(`${i}@x.io`)),
    );
    expect((await dest(id)).status).toBe('BUILDING');
    clock.advance(2000);
    const ready = await dest(id);
    expect(ready.status).toBe('READY');
    expect(ready.audienceSize).toBe(100);
    expect(ready.matchedCount).toBeGreaterThanOrEqual(70);
    expect(ready.matchedCount).toBeLessThanOrEqual(90);

    await batch(emu, id, 'users', [userAdd('new@x.io')]);
    const updating = await dest(id);
    expect(updating.status).toBe('UPDATING');
    expect(updating).not.toHaveProperty('audienceSize');
    expect(updating).not.toHaveProperty('matchedCount');
    clock.advance(999);
    expect((await dest(id)).status).toBe('UPDATING');
    clock.advance(1);
    const again = await dest(id);
    expect(again).toMatchObject({ status: 'READY', audienceSize: 101 });

    // A request that changes nothing (re-ADD) leaves the segment READY.
    await batch(emu, id, 'users', [userAdd('new@x.io')]);
    expect((await dest(id)).status).toBe('READY');
    const seg = (await call(emu, 'GET', `/dmpSegments/${id}`)).json as {
      inputCount: number;
      destinations: DestInfo[];
    };
    expect(seg.inputCount).toBe(101);
    expect(seg.destinations[0]!.status).toBe('READY');
  });

  it('matchedCount is deterministic for a seed', async () => {
    const run = async () => {
      const e = await startEmulator({
        segmentReadyDelayMs: 0,
        buildingToReadyMs: 0,
        updatingToReadyMs: 0,
        seed: 7,
      });
      try {
        const id = await createSegment(e);
        await batch(
          e,
          id,
          'users',
          Array.from({ length: 1000 }, (_, i) => userAdd(`${i}@y.io`)),
        );
        return ((await call(e, 'GET', `/dmpSegments/${id}/destinations/LINKEDIN`)).json as DestInfo)
          .matchedCount;
      } finally {
        await e.close();
      }
    };
    const first = await run();
    expect(first).toBeGreaterThanOrEqual(700);
    expect(first).toBeLessThanOrEqual(900);
    expect(await run()).toBe(first);
  });

  it('EXPIRED purges membership; streaming brings it back to BUILDING; ARCHIVED too', async () => {
    const id = await createSegment(emu);
    await batch(emu, id, 'users', [userAdd('a@x.io'), userAdd('b@x.io')]);
    emu.setSegmentStatus(id, 'EXPIRED');
    expect(emu.members(id)).toEqual([]);
    expect((await dest(id)).status).toBe('EXPIRED');
    clock.advance(10_000);
    expect((await dest(id)).status).toBe('EXPIRED');
    await batch(emu, id, 'users', [userAdd('c@x.io')]);
    expect((await dest(id)).status).toBe('BUILDING');
    emu.setSegmentStatus(id, 'ARCHIVED');
    await batch(emu, id, 'users', [userAdd('d@x.io')]);
    expect((await dest(id)).status).toBe('BUILDING');
    emu.setSegmentStatus(id, 'FAILED');
    expect(emu.segments().find((s) => s.id === id)?.status).toBe('FAILED');
    expect(() => emu.setSegmentStatus('424242', 'READY')).toThrow();
  });

  it('lists destinations with paging, creates one later, and rejects other destinations', async () => {
    const id = await createSegment(emu, { destinations: [] });
    const empty = await call(emu, 'GET', `/dmpSegments/${id}/destinations`);
    expect(empty.json).toEqual({ elements: [], paging: { start: 0, count: 10, links: [] } });
    expect((await call(emu, 'GET', `/dmpSegments/${id}/destinations/LINKEDIN`)).status).toBe(404);

    const created = await call(emu, 'POST', `/dmpSegments/${id}/destinations`, {
      body: { destination: 'LINKEDIN' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-linkedin-id')).toBe('LINKEDIN');
    const again = await call(emu, 'POST', `/dmpSegments/${id}/destinations`, {
      body: { destination: 'LINKEDIN' },
    });
    expect(again.status).toBe(201);
    const bad = await call(emu, 'POST', `/dmpSegments/${id}/destinations`, {
      body: { destination: 'DV360' },
    });
    expect(bad.status).toBe(400);

    const list = (await call(emu, 'GET', `/dmpSegments/${id}/destinations`)).json as {
      elements: DestInfo[];
      paging: object;
    };
    expect(list.elements).toHaveLength(1);
    expect(list.elements[0]).toMatchObject({
      destination: 'LINKEDIN',
      dmpSegmentId: Number(id),
      status: 'BUILDING',
    });
    const paged = (await call(emu, 'GET', `/dmpSegments/${id}/destinations?start=1&count=5`)).json as {
      elements: unknown[];
      paging: object;
    };
    expect(paged).toEqual({ elements: [], paging: { start: 1, count: 5, links: [] } });
  });
});

describe('emulator /adSegments', () => {
  const clock = manualClock();
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 1000, now: clock.now });
  });
  afterAll(() => emu.close());

  const adIdOf = async (segId: string) => {
    const info = (await call(emu, 'GET', `/dmpSegments/${segId}/destinations/LINKEDIN`)).json as DestInfo;
    return info.destinationSegmentId.split(':').pop()!;
  };

  it('gets the ad segment created with the LINKEDIN destination', async () => {
    const seg = await createSegment(emu, { name: 'Streamed' });
    const adId = await adIdOf(seg);
    const res = await call(emu, 'GET', `/adSegments/${adId}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: Number(adId),
      name: 'Streamed',
      account: ACCOUNT,
      type: 'MARKET_AUTOMATION',
      status: 'BUILDING',
      created: { actor: 'urn:li:unknown:0' },
    });
    expect((await call(emu, 'GET', '/adSegments/1')).status).toBe(404);
  });

  it('partial update of name and status (ARCHIVED is mirrored on the DMP destination)', async () => {
    const seg = await createSegment(emu);
    const adId = await adIdOf(seg);
    const upd = await call(emu, 'POST', `/adSegments/${adId}`, {
      body: { patch: { $set: { name: 'Renamed', status: 'ARCHIVED' } } },
    });
    expect(upd.status).toBe(204);
    expect((await call(emu, 'GET', `/adSegments/${adId}`)).json).toMatchObject({
      name: 'Renamed',
      status: 'ARCHIVED',
    });
    const info = (await call(emu, 'GET', `/dmpSegments/${seg}/destinations/LINKEDIN`)).json as DestInfo;
    expect(info.status).toBe('ARCHIVED');
    const bad = await call(emu, 'POST', `/adSegments/${adId}`, {
      body: { patch: { $set: { status: 'ACTIVE!' } } },
    });
    expect(bad.status).toBe(400);
    const readOnly = await call(emu, 'POST', `/adSegments/${adId}`, {
      body: { patch: { $set: { account: 'x' } } },
    });
    expect(readOnly.status).toBe(400);
  });

  it('finds by accounts with statuses/types filters and paging', async () => {
    const account = 'urn:li:sponsoredAccount:4242';
    const s1 = await createSegment(emu, { account });
    const s2 = await createSegment(emu, { account, type: 'LIST_UPLOAD', sourcePlatform: 'LIST_UPLOAD' });
    await createSegment(emu, { account: 'urn:li:sponsoredAccount:9' });
    const enc = encodeURIComponent(account);
    const all = (await call(emu, 'GET', `/adSegments?q=accounts&accounts=List(${enc})`)).json as {
      elements: { type: string; status: string }[];
      paging: { total: number };
    };
    expect(all.elements.map((e) => e.type)).toEqual(['MARKET_AUTOMATION', 'BULK']);
    expect(all.paging.total).toBe(2);
    const bulk = (await call(emu, 'GET', `/adSegments?q=accounts&accounts=List(${enc})&types=List(BULK)`))
      .json as {
      elements: unknown[];
    };
    expect(bulk.elements).toHaveLength(1);
    const plain = (await call(emu, 'GET', `/adSegments?q=accounts&accounts=${account}&start=0&count=1`))
      .json as {
      elements: unknown[];
      paging: object;
    };
    expect(plain.elements).toHaveLength(1);
    expect(plain.paging).toEqual({ start: 0, count: 1, links: [], total: 2 });
    clock.advance(1000);
    emu.setSegmentStatus(s1, 'ARCHIVED');
    const archived = (
      await call(emu, 'GET', `/adSegments?q=accounts&accounts=List(${enc})&statuses=List(ARCHIVED,EXPIRED)`)
    ).json as { elements: { id: number }[] };
    expect(archived.elements).toHaveLength(1);
    const ready = (
      await call(emu, 'GET', `/adSegments?q=accounts&accounts=List(${enc})&statuses=List(READY)`)
    ).json as {
      elements: unknown[];
    };
    expect(ready.elements).toHaveLength(1);
    expect(s2).not.toBe(s1);
    expect((await call(emu, 'GET', '/adSegments?q=accounts')).status).toBe(400);
  });
});
