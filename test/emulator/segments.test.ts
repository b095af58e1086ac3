import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ACCOUNT, call, createSegment } from './helpers.js';

interface Page {
  elements: { id: number; name: string; sourceSegmentId?: string }[];
  paging: { start: number; count: number; total?: number; links: unknown[] };
}

describe('emulator /dmpSegments', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0 });
  });
  afterAll(() => emu.close());

  it('creates a segment: 201, empty body, id in x-restli-id and x-linkedin-id', async () => {
    const res = await call(emu, 'POST', '/dmpSegments', {
      body: {
        name: 'DMP Segment 1',
        sourcePlatform: 'DMP_PARTNER_PLATFORM',
        account: ACCOUNT,
        type: 'USER',
        destinations: [{ destination: 'LINKEDIN' }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    const id = res.headers.get('x-restli-id');
    expect(id).toMatch(/^\d+$/);
    expect(res.headers.get('x-linkedin-id')).toBe(id);
  });

  it('gets a segment with its BUILDING destination and no audience figures', async () => {
    const id = await createSegment(emu, { description: 'd', sourceSegmentId: 'src-1' });
    const res = await call(emu, 'GET', `/dmpSegments/${id}`);
    expect(res.status).toBe(200);
    const seg = res.json as Record<string, unknown> & { destinations: Record<string, unknown>[] };
    expect(seg).toMatchObject({
      id: Number(id),
      name: 'Seg',
      account: ACCOUNT,
      type: 'USER',
      sourcePlatform: 'DMP_PARTNER_PLATFORM',
      sourceSegmentId: 'src-1',
      description: 'd',
    });
    expect(typeof seg.created).toBe('number');
    expect(typeof seg.lastModified).toBe('number');
    expect(seg.inputCount).toBeUndefined();
    expect(seg.destinations).toHaveLength(1);
    expect(seg.destinations[0]).toMatchObject({
      destination: 'LINKEDIN',
      status: 'BUILDING',
      dmpSegmentId: Number(id),
    });
    expect(seg.destinations[0]!.destinationSegmentId).toMatch(/^urn:li:adSegment:\d+$/);
    expect(seg.destinations[0]).not.toHaveProperty('audienceSize');
  });

  it('validates create: required fields, account URN, type enum, destinations', async () => {
    const bad = async (body: Record<string, unknown>) => call(emu, 'POST', '/dmpSegments', { body });
    const base = { name: 'n', account: ACCOUNT, type: 'USER', sourcePlatform: 'P' };
    const missingName = await bad({ ...base, name: undefined });
    expect(missingName.status).toBe(400);
    expect((missingName.json as { message: string }).message).toContain('field=name');
    expect(missingName.json).toMatchObject({ serviceErrorCode: 10007, status: 400 });
    expect((await bad({ ...base, account: 'urn:li:organization:1' })).status).toBe(400);
    expect((await bad({ ...base, type: 'PEOPLE' })).status).toBe(400);
    expect((await bad({ ...base, sourcePlatform: '' })).status).toBe(400);
    expect((await bad({ ...base, destinations: [{ destination: 'GOOGLE' }] })).status).toBe(400);
    for (const type of ['COMPANY', 'LIST_UPLOAD', 'USER_LIST_UPLOAD', 'COMPANY_LIST_UPLOAD']) {
      expect((await bad({ ...base, type })).status).toBe(201);
    }
  });

  it('batch get returns found ids and omits unknown ones, always 200', async () => {
    const a = await createSegment(emu);
    const b = await createSegment(emu);
    const res = await call(emu, 'GET', `/dmpSegments?ids=List(${a},${b},999999,abc)`);
    expect(res.status).toBe(200);
    const body = res.json as { statuses: object; results: Record<string, { id: number }>; errors: object };
    expect(body.statuses).toEqual({});
    expect(body.errors).toEqual({});
    expect(Object.keys(body.results).sort()).toEqual([a, b].sort());
    expect(body.results[a]!.id).toBe(Number(a));
    const none = await call(emu, 'GET', '/dmpSegments?ids=List(424242)');
    expect(none.json).toEqual({ statuses: {}, results: {}, errors: {} });
  });

  it('finds by account (encoded or not), filters, and pages', async () => {
    const account = 'urn:li:sponsoredAccount:777';
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(
        await createSegment(emu, { account, sourceSegmentId: `s${i}`, sourcePlatform: i < 10 ? 'A' : 'B' }),
      );
    }
    const all = (await call(emu, 'GET', `/dmpSegments?q=account&account=${account}`)).json as Page;
    expect(all.elements.map((e) => String(e.id))).toEqual(ids);
    expect(all.paging.total).toBe(12);

    const enc = encodeURIComponent(account);
    const p1 = (await call(emu, 'GET', `/dmpSegments?q=account&account=${enc}&start=0&count=5`)).json as Page;
    expect(p1.elements.map((e) => String(e.id))).toEqual(ids.slice(0, 5));
    expect(p1.paging).toEqual({ start: 0, count: 5, links: [], total: 12 });
    const p3 = (await call(emu, 'GET', `/dmpSegments?q=account&account=${enc}&start=10&count=5`))
      .json as Page;
    expect(p3.elements.map((e) => String(e.id))).toEqual(ids.slice(10));
    const dflt = (await call(emu, 'GET', `/dmpSegments?q=account&account=${enc}&start=0`)).json as Page;
    expect(dflt.elements).toHaveLength(10);

    const bySource = (
      await call(emu, 'GET', `/dmpSegments?q=account&account=${enc}&sourceSegmentId=s3&sourcePlatform=A`)
    ).json as Page;
    expect(bySource.elements.map((e) => e.sourceSegmentId)).toEqual(['s3']);
    const byPlatform = (await call(emu, 'GET', `/dmpSegments?q=account&account=${enc}&sourcePlatform=B`))
      .json as Page;
    expect(byPlatform.elements).toHaveLength(2);
    const missing = await call(emu, 'GET', '/dmpSegments?q=account');
    expect(missing.status).toBe(400);
  });

  it('partial update sets and deletes updatable fields only', async () => {
    const id = await createSegment(emu, { sourceSegmentId: 'old', description: 'x' });
    const upd = await call(emu, 'POST', `/dmpSegments/${id}`, {
      headers: { 'X-RestLi-Method': 'PARTIAL_UPDATE' },
      body: { patch: { $set: { name: 'New Name', sourceSegmentId: 'new' }, $delete: ['description'] } },
    });
    expect(upd.status).toBe(204);
    const seg = (await call(emu, 'GET', `/dmpSegments/${id}`)).json as Record<string, unknown>;
    expect(seg).toMatchObject({ name: 'New Name', sourceSegmentId: 'new' });
    expect(seg).not.toHaveProperty('description');
    const forbidden = await call(emu, 'POST', `/dmpSegments/${id}`, {
      body: { patch: { $set: { type: 'COMPANY' } } },
    });
    expect(forbidden.status).toBe(400);
    const notPatch = await call(emu, 'POST', `/dmpSegments/${id}`, { body: { name: 'x' } });
    expect(notPatch.status).toBe(400);
    const wrongMethod = await call(emu, 'POST', `/dmpSegments/${id}`, {
      headers: { 'X-RestLi-Method': 'UPDATE' },
      body: { patch: { $set: { name: 'y' } } },
    });
    expect(wrongMethod.status).toBe(400);
    const noHeader = await call(emu, 'POST', `/dmpSegments/${id}`, {
      body: { patch: { $set: { name: 'Plain' } } },
    });
    expect(noHeader.status).toBe(204);
  });

  it('deletes one segment (cascading to its ad segment) and batches of segments', async () => {
    const id = await createSegment(emu);
    const dest = (await call(emu, 'GET', `/dmpSegments/${id}/destinations/LINKEDIN`)).json as {
      destinationSegmentId: string;
    };
    const adId = dest.destinationSegmentId.split(':').pop();
    expect((await call(emu, 'GET', `/adSegments/${adId}`)).status).toBe(200);
    const del = await call(emu, 'DELETE', `/dmpSegments/${id}`);
    expect(del.status).toBe(204);
    expect((await call(emu, 'GET', `/dmpSegments/${id}`)).status).toBe(404);
    expect((await call(emu, 'GET', `/adSegments/${adId}`)).status).toBe(404);
    expect((await call(emu, 'DELETE', `/dmpSegments/${id}`)).status).toBe(404);

    const a = await createSegment(emu);
    const b = await createSegment(emu);
    const res = await call(emu, 'DELETE', `/dmpSegments?ids=List(${a},${b},424242)`);
    expect(res.status).toBe(200);
    const body = res.json as { results: Record<string, unknown>; errors: Record<string, { status: number }> };
    expect(body.results).toEqual({ [a]: { status: 204 }, [b]: { status: 204 } });
    expect(body.errors['424242']!.status).toBe(404);

    const c = await createSegment(emu);
    const d = await createSegment(emu, { account: 'urn:li:sponsoredAccount:2' });
    expect((await call(emu, 'DELETE', `/dmpSegments?ids=List(${c},${d})`)).status).toBe(400);
  });

  it('answers 404 for an unknown id and 400 for a non-numeric one', async () => {
    const unknown = await call(emu, 'GET', '/dmpSegments/999999');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      message: 'Entity with key 999999 is not found.',
      serviceErrorCode: 404,
      status: 404,
    });
    expect((await call(emu, 'GET', '/dmpSegments/abc')).status).toBe(400);
    expect((await call(emu, 'DELETE', '/dmpSegments/abc')).status).toBe(400);
    expect((await call(emu, 'POST', '/dmpSegments/abc/users', { body: {} })).status).toBe(400);
  });
});

describe('emulator segment cap', () => {
  it('answers 429 SEGMENT_LIMIT_EXCEEDED for the 1001st segment of an account', async () => {
    const emu = await startEmulator();
    try {
      const account = 'urn:li:sponsoredAccount:1000';
      const body = JSON.stringify({
        name: 'n',
        account,
        type: 'USER',
        sourcePlatform: 'P',
        destinations: [],
      });
      const headers = {
        Authorization: 'Bearer t',
        'LinkedIn-Version': '202601',
        'X-Restli-Protocol-Version': '2.0.0',
        'Content-Type': 'application/json',
      };
      for (let i = 0; i < 1000; i += 50) {
        const statuses = await Promise.all(
          Array.from({ length: 50 }, () =>
            fetch(`${emu.restUrl}/dmpSegments`, { method: 'POST', headers, body }).then((r) => r.status),
          ),
        );
        expect(new Set(statuses)).toEqual(new Set([201]));
      }
      const over = await call(emu, 'POST', '/dmpSegments', { body: JSON.parse(body) });
      expect(over.status).toBe(429);
      expect(over.json).toMatchObject({ code: 'SEGMENT_LIMIT_EXCEEDED', status: 429 });
      const other = await call(emu, 'POST', '/dmpSegments', {
        body: { ...JSON.parse(body), account: 'urn:li:sponsoredAccount:1001' },
      });
      expect(other.status).toBe(201);
    } finally {
      await emu.close();
    }
  });
});
