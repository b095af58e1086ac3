import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rejection } from '../../core/plugin.js';
import { sha256Hex, sha512Hex } from '../../transforms/hash.js';
import {
  type BuiltMember,
  buildUserMember,
  type UserInput,
  type UserOptions,
} from '../../transforms/user.js';
import { HEX_ANY_CASE } from './helpers.js';

const opts: UserOptions = { hash: 'sha256', overlong: 'truncate' };
const AID = 'cdda802e-fb9c-47ad-a794-d394c912ab12';

function ok(input: UserInput, options = opts): BuiltMember {
  const r = buildUserMember(input, options);
  if ('rejected' in r) throw new Error(`unexpected rejection: ${r.reason}`);
  return r;
}
function rejected(input: UserInput, options = opts): Rejection {
  const r = buildUserMember(input, options);
  if (!('rejected' in r)) throw new Error('expected a rejection');
  return r;
}

describe('buildUserMember', () => {
  it('builds the full element, keys and ids in canonical order', () => {
    const { member, notes } = ok({
      country: 'usa',
      company: ' Microsoft ',
      title: 'Software Engineer',
      lastName: 'Smith',
      firstName: 'Mike',
      googleAid: AID.toUpperCase(),
      email: ' Mike.Smith@Example.com ',
    });
    const hash = sha256Hex('mike.smith@example.com');
    expect(member.key).toBe(`sha256:${hash}`);
    expect(JSON.stringify(member.payload)).toBe(
      JSON.stringify({
        userIds: [
          { idType: 'SHA256_EMAIL', idValue: hash },
          { idType: 'GOOGLE_AID', idValue: AID },
        ],
        firstName: 'Mike',
        lastName: 'Smith',
        title: 'Software Engineer',
        company: 'Microsoft',
        country: 'US',
      }),
    );
    expect(notes).toEqual([]);
  });

  it('hashes with SHA-512 when configured', () => {
    const { member } = ok({ email: 'a@example.com' }, { hash: 'sha512', overlong: 'truncate' });
    const hash = sha512Hex('a@example.com');
    expect(member.key).toBe(`sha512:${hash}`);
    expect(member.payload).toEqual({ userIds: [{ idType: 'SHA512_EMAIL', idValue: hash }] });
  });

  it('sends a pre-hashed email as it is (lower-cased), never hashed again', () => {
    const h = fc.string({ unit: fc.constantFrom(...HEX_ANY_CASE), minLength: 64, maxLength: 64 });
    const h2 = fc.string({ unit: fc.constantFrom(...HEX_ANY_CASE), minLength: 128, maxLength: 128 });
    fc.assert(
      fc.property(h, h2, fc.constantFrom<'sha256' | 'sha512'>('sha256', 'sha512'), (a, b, hash) => {
        const options: UserOptions = { hash, overlong: 'truncate' };
        expect(ok({ email: ` ${a} ` }, options).member.payload.userIds).toEqual([
          { idType: 'SHA256_EMAIL', idValue: a.toLowerCase() },
        ]);
        expect(ok({ email: b }, options).member.payload.userIds).toEqual([
          { idType: 'SHA512_EMAIL', idValue: b.toLowerCase() },
        ]);
        expect(ok({ sha256Email: a, sha512Email: b }, options).member.payload.userIds).toEqual([
          { idType: 'SHA256_EMAIL', idValue: a.toLowerCase() },
          { idType: 'SHA512_EMAIL', idValue: b.toLowerCase() },
        ]);
      }),
    );
  });

  it('deduplicates the same hash from two columns', () => {
    const hash = sha256Hex('a@example.com');
    const { member } = ok({ email: 'a@example.com', sha256Email: hash.toUpperCase() });
    expect(member.payload.userIds).toEqual([{ idType: 'SHA256_EMAIL', idValue: hash }]);
  });

  it('keeps a row with an invalid email when another identifier is valid, with a note', () => {
    const { member, notes } = ok({ email: 'not an email', googleAid: AID });
    expect(member.key).toBe(`aid:${AID}`);
    expect(notes).toEqual(['email: invalid']);
    const named = ok({ email: 'x@', firstName: 'Ann', lastName: 'Lee', googleAid: 'nope' });
    expect(named.member.key).toBe('name:ann|lee');
    expect(named.member.payload).toEqual({ firstName: 'Ann', lastName: 'Lee' });
    expect(named.notes).toEqual(['email: invalid', 'googleAid: invalid (not a UUID)']);
  });

  it('picks the identity key: sha256, then sha512, then aid, then names', () => {
    const h512 = sha512Hex('b@example.com');
    expect(ok({ sha512Email: h512, googleAid: AID }).member.key).toBe(`sha512:${h512}`);
    expect(ok({ googleAid: AID, firstName: 'A', lastName: 'B' }).member.key).toBe(`aid:${AID}`);
    expect(ok({ firstName: ' Éva ', lastName: 'NAGY' }).member.key).toBe('name:éva|nagy');
    expect(ok({ firstName: 'a|b', lastName: 'c' }).member.key).not.toBe(
      ok({ firstName: 'a', lastName: 'b|c' }).member.key,
    );
  });

  it.each([
    [{}, 'no valid identifier: no email, no googleAid, no firstName+lastName'],
    [{ email: 'bad' }, 'no valid identifier: email invalid, no googleAid, no firstName+lastName'],
    [
      { email: 'bad', firstName: 'Ann' },
      'no valid identifier: email invalid, no googleAid, no valid lastName',
    ],
    [
      { sha256Email: 'abc', googleAid: '0000000000000000000000000000000' + '0' },
      'no valid identifier: sha256Email invalid (not 64 hex digits), googleAid invalid (all zeros: ad tracking limited on the device), no firstName+lastName',
    ],
    [
      { firstName: 'ann@example.com', lastName: 'Lee' },
      'no valid identifier: no email, no googleAid, no valid firstName',
    ],
  ])('rejects %j as identity: %s', (input, reason) => {
    const r = rejected(input);
    expect(r.field).toBe('identity');
    expect(r.reason).toBe(reason);
  });

  it('never puts the raw value in a rejection reason', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), fc.string({ minLength: 6 }), (email, aid) => {
        fc.pre(email.trim().length >= 6 && aid.trim().length >= 6);
        const r = buildUserMember({ email, googleAid: aid }, opts);
        if ('rejected' in r) {
          expect(r.reason).not.toContain(email.trim());
          expect(r.reason).not.toContain(aid.trim());
        }
      }),
    );
  });

  it('applies limits, the overlong policy, and country normalization with notes', () => {
    const long = 'x'.repeat(40);
    const t = ok({
      googleAid: AID,
      firstName: long,
      title: 'y'.repeat(101),
      company: 'z'.repeat(50),
      country: 'Narnia',
    });
    expect(t.member.payload).toEqual({
      userIds: [{ idType: 'GOOGLE_AID', idValue: AID }],
      firstName: 'x'.repeat(35),
      title: 'y'.repeat(100),
      company: 'z'.repeat(50),
    });
    expect(t.notes).toEqual([
      'firstName: truncated to 35 characters',
      'title: truncated to 100 characters',
      'country: unknown, dropped',
    ]);
    const d = ok({ googleAid: AID, firstName: long, lastName: 'Lee' }, { hash: 'sha256', overlong: 'drop' });
    expect(d.member.payload).toEqual({ userIds: [{ idType: 'GOOGLE_AID', idValue: AID }], lastName: 'Lee' });
    expect(d.notes).toEqual(['firstName: longer than 35 characters, dropped']);
  });

  it('gives the same JSON for the same input, whatever the property order of the input', () => {
    const a = ok({ email: 'a@example.com', firstName: 'A', lastName: 'B', country: 'fr' });
    const b = ok({ country: 'FR', lastName: 'B', firstName: 'A', email: 'A@EXAMPLE.COM' });
    expect(JSON.stringify(a.member.payload)).toBe(JSON.stringify(b.member.payload));
  });
});
