import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allAlpha2, normalizeCountry } from '../../transforms/country.js';
import { COUNTRIES } from '../../transforms/country-data.js';

describe('normalizeCountry', () => {
  it('knows all 249 ISO 3166-1 countries by alpha-2, alpha-3 and ISO name, any case', () => {
    expect(COUNTRIES).toHaveLength(249);
    for (const [a2, a3, name] of COUNTRIES) {
      expect(normalizeCountry(a2!)).toBe(a2);
      expect(normalizeCountry(a2!.toLowerCase())).toBe(a2);
      expect(normalizeCountry(a3!)).toBe(a2);
      expect(normalizeCountry(` ${a3!.toLowerCase()} `)).toBe(a2);
      expect(normalizeCountry(name!)).toBe(a2);
      expect(normalizeCountry(name!.toUpperCase())).toBe(a2);
    }
  });

  it.each([
    ['United States', 'US'],
    ['united states of america', 'US'],
    ['USA', 'US'],
    ['U.S.', 'US'],
    ['u.s.a.', 'US'],
    ['us', 'US'],
    ['UK', 'GB'],
    ['u.k.', 'GB'],
    ['United Kingdom', 'GB'],
    ['Great Britain', 'GB'],
    ['England', 'GB'],
    ['Scotland', 'GB'],
    ['  germany  ', 'DE'],
    ['Deutschland', null],
    ['The Netherlands', 'NL'],
    ['Holland', 'NL'],
    ['Czech Republic', 'CZ'],
    ['Turkey', 'TR'],
    ['Türkiye', 'TR'],
    ['Cote d’Ivoire', 'CI'],
    ['Ivory Coast', 'CI'],
    ['South Korea', 'KR'],
    ['Korea, Republic of', 'KR'],
    ['Republic of Korea', 'KR'],
    ['North Korea', 'KP'],
    ['Russia', 'RU'],
    ['Vietnam', 'VN'],
    ['Bosnia & Herzegovina', 'BA'],
    ['St. Lucia', 'LC'],
    ['The Bahamas', 'BS'],
    ['UAE', 'AE'],
    ['N/A', null],
    ['n.a.', null],
    ['XX', null],
    ['Atlantis', null],
    ['', null],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeCountry(raw)).toBe(expected);
  });

  it('answers an upper-case ISO alpha-2 code or null, for any input', () => {
    const codes = new Set(allAlpha2());
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(...codes)), (s) => {
        const c = normalizeCountry(s);
        if (c !== null) {
          expect(c).toMatch(/^[A-Z]{2}$/);
          expect(codes.has(c)).toBe(true);
        }
      }),
    );
  });
});
