import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { batch, call, createSegment, manualClock, sha256, sha512, userAdd, userRemove } from './helpers.js';

type BatchBody = {
  elements: { status: number; error?: { message: string; serviceErrorCode: number; status: number } }[];
};

describe('emulator /dmpSegments/{id}/users', () => {
  let emu: Emulator;
  let seg: string;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0 });
  });
  afterAll(() => emu.close());

  const single = (body: unknown) => call(emu, 'POST', `/dmpSegments/${seg}/users`, { body });

  it('adds a single user: 201 with an empty body', async () => {
    seg = await createSegment(emu);
    const res = await single(userAdd('mike@example.com'));
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    expect(emu.members(seg)).toEqual([
      { userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256('mike@example.com') }] },
    ]);
  });

  it('is idempotent: re-ADD an existing member and REMOVE an absent one answer 201', async () => {
    seg = await createSegment(emu);
    expect((await single(userAdd('a@x.io'))).status).toBe(201);
    expect((await single(userAdd('a@x.io'))).status).toBe(201);
    expect(emu.members(seg)).toHaveLength(1);
    expect((await single(userRemove('a@x.io'))).status).toBe(201);
    expect((await single(userRemove('a@x.io'))).status).toBe(201);
    expect(emu.members(seg)).toEqual([]);
  });

  it('batch create answers HTTP 200 with one result per element, in order', async () => {
    seg = await createSegment(emu);
    const res = await batch(emu, seg, 'users', [
      userAdd('1@x.io'),
      { action: 'ADD', userIds: [{ idType: 'GOOGLE', idValue: 'x' }] },
      userAdd('2@x.io'),
    ]);
    expect(res.status).toBe(200);
    const body = res.json as BatchBody;
    expect(body.elements.map((e) => e.status)).toEqual([201, 400, 201]);
    expect(body.elements[1]!.error).toEqual({
      message:
        'Validation failed because [{field=userIds, batchIndex=1, type=MISSING_REQUIRED_FIELD, message=ERROR :: /userIds/idType :: "GOOGLE" is not an enum symbol}]',
      serviceErrorCode: 10007,
      status: 400,
    });
    expect(emu.members(seg)).toHaveLength(2);
  });

  it('rejects batches that are empty, not {elements}, or larger than 5000', async () => {
    seg = await createSegment(emu);
    expect((await batch(emu, seg, 'users', [])).status).toBe(400);
    const notElements = await call(emu, 'POST', `/dmpSegments/${seg}/users`, {
      headers: { 'X-RestLi-Method': 'BATCH_CREATE' },
      body: [userAdd('a@x.io')],
    });
    expect(notElements.status).toBe(400);
    const big = Array.from({ length: 5001 }, (_, i) => userAdd(`${i}@x.io`));
    const over = await batch(emu, seg, 'users', big);
    expect(over.status).toBe(400);
    expect(emu.members(seg)).toEqual([]);
    const full = await batch(emu, seg, 'users', big.slice(0, 5000));
    expect(full.status).toBe(200);
    expect((full.json as BatchBody).elements.every((e) => e.status === 201)).toBe(true);
    expect(emu.members(seg)).toHaveLength(5000);
  });

  describe('validation rules (single element -> whole 400, serviceErrorCode 10007)', () => {
    const hex64 = sha256('x');
    const cases: [string, Record<string, unknown>][] = [
      ['missing action', { userIds: [{ idType: 'SHA256_EMAIL', idValue: hex64 }] }],
      ['unknown action', { action: 'UPSERT', userIds: [{ idType: 'SHA256_EMAIL', idValue: hex64 }] }],
      ['no id and no names', { action: 'ADD' }],
      ['empty userIds and no names', { action: 'ADD', userIds: [] }],
      ['only a first name', { action: 'ADD', firstName: 'mike' }],
      [
        'APPLE_IDFA is no longer an idType',
        { action: 'ADD', userIds: [{ idType: 'APPLE_IDFA', idValue: 'ABC' }] },
      ],
      [
        'SHA256 of 63 chars',
        { action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: hex64.slice(1) }] },
      ],
      ['SHA256 of 65 chars', { action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: `${hex64}a` }] }],
      [
        'SHA256 not hex',
        { action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: `${hex64.slice(1)}g` }] },
      ],
      ['SHA512 of 64 chars', { action: 'ADD', userIds: [{ idType: 'SHA512_EMAIL', idValue: hex64 }] }],
      [
        'GOOGLE_AID upper case',
        { action: 'ADD', userIds: [{ idType: 'GOOGLE_AID', idValue: 'CDDA802E-FB9C' }] },
      ],
      [
        'GOOGLE_AID of 37 chars',
        { action: 'ADD', userIds: [{ idType: 'GOOGLE_AID', idValue: 'a'.repeat(37) }] },
      ],
      ['missing idValue', { action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL' }] }],
      [
        'one valid and one invalid id',
        {
          action: 'ADD',
          userIds: [
            { idType: 'SHA256_EMAIL', idValue: hex64 },
            { idType: 'SHA256_EMAIL', idValue: 'x' },
          ],
        },
      ],
      ['firstName of 36 chars', { action: 'ADD', firstName: 'a'.repeat(36), lastName: 'b' }],
      ['lastName of 36 chars', { action: 'ADD', firstName: 'a', lastName: 'b'.repeat(36) }],
      ['title of 101 chars', userAdd('t@x.io', { title: 't'.repeat(101) })],
      ['company of 51 chars', userAdd('t@x.io', { company: 'c'.repeat(51) })],
      ['country of 3 letters', userAdd('t@x.io', { country: 'USA' })],
      ['country that is not ISO (UK)', userAdd('t@x.io', { country: 'UK' })],
      ['raw email in firstName', { action: 'ADD', firstName: 'mike@example.com', lastName: 'smith' }],
      ['raw email in title', userAdd('t@x.io', { title: 'contact: jo@corp.com' })],
      ['raw email in an unknown field', userAdd('t@x.io', { note: 'jo@corp.com' })],
      [
        'raw email as GOOGLE_AID',
        { action: 'ADD', userIds: [{ idType: 'GOOGLE_AID', idValue: 'jo@corp.com' }] },
      ],
      ['firstName not a string', { action: 'ADD', firstName: 5, lastName: 'x' }],
      ['userIds not an array', { action: 'ADD', userIds: { idType: 'SHA256_EMAIL', idValue: hex64 } }],
    ];
    for (const [name, element] of cases) {
      it(`rejects: ${name}`, async () => {
        seg = await createSegment(emu);
        const res = await single(element);
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ serviceErrorCode: 10007, status: 400 });
        expect((res.json as { message: string }).message).toMatch(/^Validation failed because \[\{field=/);
        expect(res.text).not.toContain('@');
        expect(emu.members(seg)).toEqual([]);
      });
    }

    const accepted: [string, Record<string, unknown>][] = [
      ['SHA512', { action: 'ADD', userIds: [{ idType: 'SHA512_EMAIL', idValue: sha512('x') }] }],
      [
        'upper-case SHA256 hex',
        { action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: hex64.toUpperCase() }] },
      ],
      [
        'GOOGLE_AID UUID (36)',
        {
          action: 'ADD',
          userIds: [{ idType: 'GOOGLE_AID', idValue: 'cdda802e-fb9c-47ad-a794-d394c912aaaa' }],
        },
      ],
      [
        'names only',
        {
          action: 'ADD',
          firstName: 'Łukasz',
          lastName: 'Nowak',
          title: 't'.repeat(100),
          company: 'c'.repeat(50),
        },
      ],
      ['lower-case country', userAdd('c@x.io', { country: 'us' })],
      ['unknown fields are ignored', userAdd('c@x.io', { firstname: 'mike' })],
    ];
    for (const [name, element] of accepted) {
      it(`accepts: ${name}`, async () => {
        seg = await createSegment(emu);
        expect((await single(element)).status).toBe(201);
        expect(emu.members(seg)).toHaveLength(1);
      });
    }
  });

  it('REMOVE removes the member sharing any id; name-only members by first+last name', async () => {
    seg = await createSegment(emu);
    const gaid = 'cdda802e-fb9c-47ad-a794-d394c912aaaa';
    await batch(emu, seg, 'users', [
      {
        action: 'ADD',
        userIds: [
          { idType: 'SHA256_EMAIL', idValue: sha256('a@x.io') },
          { idType: 'GOOGLE_AID', idValue: gaid },
        ],
      },
      { action: 'ADD', firstName: 'Mike', lastName: 'Smith' },
      userAdd('b@x.io'),
    ]);
    expect(emu.members(seg)).toHaveLength(3);
    await batch(emu, seg, 'users', [
      { action: 'REMOVE', userIds: [{ idType: 'GOOGLE_AID', idValue: gaid }] },
      { action: 'REMOVE', firstName: 'mike', lastName: 'smith' },
    ]);
    expect(emu.members(seg)).toEqual([{ userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256('b@x.io') }] }]);
  });

  it('re-ADD with changed metadata replaces the stored element', async () => {
    seg = await createSegment(emu);
    await single(userAdd('a@x.io', { country: 'US' }));
    await single(userAdd('a@x.io', { country: 'GB' }));
    expect(emu.members(seg)).toEqual([
      { userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256('a@x.io') }], country: 'GB' },
    ]);
  });

  it('only USER segments take users; LIST_UPLOAD segments take no streaming', async () => {
    const company = await createSegment(emu, { type: 'COMPANY' });
    const list = await createSegment(emu, { type: 'LIST_UPLOAD', sourcePlatform: 'LIST_UPLOAD' });
    expect(
      (await call(emu, 'POST', `/dmpSegments/${company}/users`, { body: userAdd('a@x.io') })).status,
    ).toBe(400);
    expect((await call(emu, 'POST', `/dmpSegments/${list}/users`, { body: userAdd('a@x.io') })).status).toBe(
      400,
    );
    expect((await batch(emu, list, 'companies', [{ action: 'ADD', companyName: 'X' }])).status).toBe(400);
  });

  it('counts added, removed and rejected elements', async () => {
    emu.resetStats();
    seg = await createSegment(emu);
    await batch(emu, seg, 'users', [
      userAdd('a@x.io'),
      userAdd('b@x.io'),
      userRemove('a@x.io'),
      { action: 'ADD' },
    ]);
    const stats = emu.stats();
    expect(stats.elements).toEqual({ added: 2, removed: 1, rejected: 1, companyRemoveMismatches: 0 });
    expect(stats.requests['POST /dmpSegments/{id}/users']).toBe(1);
    expect(stats.requests['POST /dmpSegments']).toBe(1);
    expect(stats.requests.total).toBe(2);
  });
});

describe('emulator users: all_or_nothing batch validation', () => {
  it('fails the whole batch with batchIndex entries and applies nothing', async () => {
    const emu = await startEmulator({ segmentReadyDelayMs: 0, batchValidation: 'all_or_nothing' });
    try {
      const seg = await createSegment(emu);
      const res = await batch(emu, seg, 'users', [
        userAdd('a@x.io'),
        { action: 'ADD', userIds: [{ idType: 'GOOGLE', idValue: 'x' }] },
        userAdd('b@x.io'),
        { action: 'ADD' },
      ]);
      expect(res.status).toBe(400);
      const body = res.json as { message: string; serviceErrorCode: number; status: number };
      expect(body.serviceErrorCode).toBe(10007);
      expect(body.message).toContain(
        '{field=userIds, batchIndex=1, type=MISSING_REQUIRED_FIELD, message=ERROR :: /userIds/idType :: "GOOGLE" is not an enum symbol}',
      );
      expect(body.message).toContain('batchIndex=3');
      expect(body.message).not.toContain('batchIndex=0');
      expect(emu.members(seg)).toEqual([]);
      const ok = await batch(emu, seg, 'users', [userAdd('a@x.io'), userAdd('b@x.io')]);
      expect(ok.status).toBe(200);
      expect(emu.members(seg)).toHaveLength(2);
    } finally {
      await emu.close();
    }
  });
});

describe('emulator users: segment ready delay', () => {
  it('answers 404 "Could not find DMP segment with ID {id}" until the delay has passed', async () => {
    const clock = manualClock();
    const emu = await startEmulator({ segmentReadyDelayMs: 5000, now: clock.now });
    try {
      const seg = await createSegment(emu);
      const early = await call(emu, 'POST', `/dmpSegments/${seg}/users`, { body: userAdd('a@x.io') });
      expect(early.status).toBe(404);
      expect(early.json).toEqual({
        message: `Could not find DMP segment with ID ${seg}`,
        serviceErrorCode: 404,
        status: 404,
      });
      expect(emu.members(seg)).toEqual([]);
      clock.advance(4999);
      expect((await batch(emu, seg, 'users', [userAdd('a@x.io')])).status).toBe(404);
      clock.advance(1);
      expect((await call(emu, 'POST', `/dmpSegments/${seg}/users`, { body: userAdd('a@x.io') })).status).toBe(
        201,
      );
      const unknown = await call(emu, 'POST', '/dmpSegments/424242/users', { body: userAdd('a@x.io') });
      expect(unknown.json).toMatchObject({ message: 'Could not find DMP segment with ID 424242' });
    } finally {
      await emu.close();
    }
  });
});
