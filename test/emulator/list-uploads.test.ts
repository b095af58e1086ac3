import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { call, createSegment, manualClock, sha256, TOKEN } from './helpers.js';

async function uploadCsv(emu: Emulator, csv: string, mediaType = 'ad_segments'): Promise<Response> {
  const form = new FormData();
  form.append('fileupload', new Blob([csv], { type: 'text/csv' }), 'list.csv');
  return fetch(`${emu.url}/media/upload?media_type=${mediaType}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}` },
    body: form,
  });
}

describe('emulator CSV list uploads', () => {
  const clock = manualClock();
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 5000, buildingToReadyMs: 1000, now: clock.now });
  });
  afterAll(() => emu.close());

  const csv = `email\n${sha256('a@x.io')}\n${sha256('b@x.io')}\n"${sha256('c@x.io')}"\n`;

  it('uploads a file and attaches it to a LIST_UPLOAD segment once', async () => {
    const up = await uploadCsv(emu, csv);
    expect(up.status).toBe(201);
    const { location } = (await up.json()) as { location: string };
    expect(location).toMatch(/^urn:li:digitalmediaAsset:/);

    const seg = await createSegment(emu, { type: 'USER_LIST_UPLOAD', sourcePlatform: 'LIST_UPLOAD' });
    const early = await call(emu, 'POST', `/dmpSegments/${seg}/listUploads`, {
      body: { inputFile: location },
    });
    expect(early.status).toBe(404);
    clock.advance(5000);
    const res = await call(emu, 'POST', `/dmpSegments/${seg}/listUploads`, { body: { inputFile: location } });
    expect(res.status).toBe(201);
    expect(emu.members(seg)).toEqual(
      [{ email: sha256('a@x.io') }, { email: sha256('b@x.io') }, { email: sha256('c@x.io') }].sort((x, y) =>
        JSON.stringify(x) < JSON.stringify(y) ? -1 : 1,
      ),
    );
    const second = await call(emu, 'POST', `/dmpSegments/${seg}/listUploads`, {
      body: { inputFile: location },
    });
    expect(second.status).toBe(400);

    const found = (
      await call(
        emu,
        'GET',
        `/dmpSegments?q=account&account=${encodeURIComponent('urn:li:sponsoredAccount:516848833')}&sourcePlatform=LIST_UPLOAD`,
      )
    ).json as {
      elements: {
        id: number;
        inputCount: number;
        destinations: { status: string; audienceSize?: number }[];
      }[];
    };
    const mine = found.elements.find((e) => String(e.id) === seg)!;
    expect(mine.inputCount).toBe(3);
    expect(mine.destinations[0]!.status).toBe('BUILDING');
    clock.advance(1000);
    const ready = (await call(emu, 'GET', `/dmpSegments/${seg}`)).json as {
      destinations: { status: string; audienceSize: number }[];
    };
    expect(ready.destinations[0]).toMatchObject({ status: 'READY', audienceSize: 3 });
  });

  it('an EXPIRED list segment takes a new list and goes back to BUILDING', async () => {
    const seg = await createSegment(emu, { type: 'LIST_UPLOAD', sourcePlatform: 'LIST_UPLOAD' });
    clock.advance(5000);
    const first = ((await (await uploadCsv(emu, csv)).json()) as { location: string }).location;
    expect(
      (await call(emu, 'POST', `/dmpSegments/${seg}/listUploads`, { body: { inputFile: first } })).status,
    ).toBe(201);
    emu.setSegmentStatus(seg, 'EXPIRED');
    expect(emu.members(seg)).toEqual([]);
    const next = (
      (await (await uploadCsv(emu, `email\n${sha256('z@x.io')}\n`)).json()) as { location: string }
    ).location;
    expect(
      (await call(emu, 'POST', `/dmpSegments/${seg}/listUploads`, { body: { inputFile: next } })).status,
    ).toBe(201);
    expect(emu.segments().find((s) => s.id === seg)).toMatchObject({
      status: 'BUILDING',
      memberCount: 1,
      listUploadFile: next,
    });
  });

  it('rejects uploads to streaming segments, unknown files, a wrong media_type and a missing part', async () => {
    const users = await createSegment(emu);
    clock.advance(5000);
    const loc = ((await (await uploadCsv(emu, csv)).json()) as { location: string }).location;
    expect(
      (await call(emu, 'POST', `/dmpSegments/${users}/listUploads`, { body: { inputFile: loc } })).status,
    ).toBe(400);
    const list = await createSegment(emu, { type: 'LIST_UPLOAD', sourcePlatform: 'LIST_UPLOAD' });
    clock.advance(5000);
    const unknown = await call(emu, 'POST', `/dmpSegments/${list}/listUploads`, {
      body: { inputFile: 'urn:li:digitalmediaAsset:nope' },
    });
    expect(unknown.status).toBe(400);
    expect((await uploadCsv(emu, csv, 'image')).status).toBe(400);
    const noPart = await fetch(`${emu.url}/media/upload?media_type=ad_segments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: new FormData(),
    });
    expect(noPart.status).toBe(400);
    const noAuth = await fetch(`${emu.url}/media/upload?media_type=ad_segments`, {
      method: 'POST',
      body: new FormData(),
    });
    expect(noAuth.status).toBe(401);
  });
});
