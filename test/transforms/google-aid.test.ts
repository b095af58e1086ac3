import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainGoogleAid, normalizeGoogleAid } from '../../transforms/google-aid.js';

describe('normalizeGoogleAid', () => {
  it('lower-cases a hyphenated UUID', () => {
    expect(normalizeGoogleAid(' CDDA802E-FB9C-47AD-A794-D394C912AB12 ')).toBe(
      'cdda802e-fb9c-47ad-a794-d394c912ab12',
    );
  });

  it('puts the hyphens back into a 32-digit UUID', () => {
    expect(normalizeGoogleAid('CDDA802EFB9C47ADA794D394C912AB12')).toBe(
      'cdda802e-fb9c-47ad-a794-d394c912ab12',
    );
  });

  it.each([
    ['cdda802e-fb9c-47ad-0794d394c912', 'not a UUID'], // LinkedIn's doc example is not a UUID
    ['cdda802e-fb9c-47ad-a794-d394c912ab1', 'not a UUID'],
    ['gdda802e-fb9c-47ad-a794-d394c912ab12', 'not a UUID'],
    ['john@example.com', 'not a UUID'],
    ['00000000-0000-0000-0000-000000000000', 'all zeros: ad tracking limited on the device'],
    ['00000000000000000000000000000000', 'all zeros: ad tracking limited on the device'],
    ['   ', 'empty'],
  ])('rejects %j with a reason', (raw, reason) => {
    expect(normalizeGoogleAid(raw)).toBeNull();
    expect(explainGoogleAid(raw)).toBe(reason);
  });

  it('accepts every UUID in both spellings, to the same canonical value, and is idempotent', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (u, upper) => {
        fc.pre(u !== '00000000-0000-0000-0000-000000000000');
        const spelled = upper ? u.toUpperCase() : u;
        const a = normalizeGoogleAid(spelled);
        expect(a).toBe(u.toLowerCase());
        expect(normalizeGoogleAid(spelled.replace(/-/g, ''))).toBe(a);
        expect(normalizeGoogleAid(a!)).toBe(a);
        expect(explainGoogleAid(spelled)).toBe('valid');
      }),
    );
  });

  it('never explains with the value itself', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (s) => {
        fc.pre(s.trim().length >= 4);
        expect(explainGoogleAid(s)).not.toContain(s.trim());
      }),
    );
  });
});
