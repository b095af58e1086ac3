import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectPrehashed,
  looksLikeEmail,
  normalizeEmail,
  normalizeHashedEmail,
} from '../../transforms/email.js';
import { HEX_ANY_CASE } from './helpers.js';

describe('normalizeEmail', () => {
  it('trims, removes all whitespace and lower-cases', () => {
    expect(normalizeEmail('  John.Doe@Example.COM ')).toBe('john.doe@example.com');
    expect(normalizeEmail('jo hn@exa\tmple.com\n')).toBe('john@example.com');
    expect(normalizeEmail('a\u00A0b@example.com')).toBe('ab@example.com');
    expect(normalizeEmail('ab\u200B@example.com')).toBe('ab@example.com');
  });

  it('composes accents so both Unicode forms hash the same', () => {
    expect(normalizeEmail('Jose\u0301@example.com')).toBe('jos\u00e9@example.com');
    expect(normalizeEmail('JOS\u00c9@EXAMPLE.COM')).toBe('jos\u00e9@example.com');
  });

  it.each([
    ['', 'empty'],
    ['plainaddress', 'no @'],
    ['a@b@example.com', 'two @'],
    ['@example.com', 'empty local part'],
    ['john@', 'empty domain'],
    ['john@localhost', 'domain without a dot'],
    ['john@example..com', 'empty label'],
    ['john@-example.com', 'label starts with a hyphen'],
    ['john@example-.com', 'label ends with a hyphen'],
    ['john@1.2.3.4', 'numeric top-level label'],
    ['.john@example.com', 'leading dot'],
    ['john.@example.com', 'trailing dot'],
    ['jo..hn@example.com', 'double dot'],
    ['jo(hn)@example.com', 'forbidden characters'],
    [`${'a'.repeat(65)}@example.com`, 'local part over 64'],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}.com`, 'over 254 in total'],
    [`a@${'b'.repeat(64)}.com`, 'label over 63'],
  ])('rejects %j (%s)', (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });

  it('accepts the practical edges', () => {
    expect(normalizeEmail(`${'a'.repeat(64)}@example.com`)).not.toBeNull();
    expect(normalizeEmail("o'brien+tag@sub.example.co.uk")).toBe("o'brien+tag@sub.example.co.uk");
    expect(normalizeEmail('user@xn--bcher-kva.de')).toBe('user@xn--bcher-kva.de');
    expect(normalizeEmail('user@B\u00fccher.de')).toBe('user@b\u00fccher.de');
  });

  it('accepts generated RFC addresses', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (e) => {
        // fast-check's local parts can be longer than 64 or the whole longer than 254.
        fc.pre(e.indexOf('@') <= 64 && e.length <= 254);
        expect(normalizeEmail(e)).toBe(e.toLowerCase());
      }),
    );
  });

  it('is idempotent', () => {
    const anyText = fc.oneof(fc.emailAddress(), fc.string({ unit: 'binary', maxLength: 40 }), fc.string());
    fc.assert(
      fc.property(anyText, (s) => {
        const once = normalizeEmail(s);
        if (once !== null) expect(normalizeEmail(once)).toBe(once);
      }),
    );
  });

  it('ignores case and inserted whitespace', () => {
    const ws = fc.constantFrom(' ', '\t', '\n', '\u00A0', '\u2003', '\u200B');
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.array(fc.tuple(fc.nat(), ws), { maxLength: 5 }),
        fc.boolean(),
        (e, inserts, upper) => {
          let messy = upper ? e.toUpperCase() : e;
          for (const [pos, w] of inserts) {
            const at = pos % (messy.length + 1);
            messy = messy.slice(0, at) + w + messy.slice(at);
          }
          expect(normalizeEmail(messy)).toBe(normalizeEmail(e));
        },
      ),
    );
  });
});

/** The rules written as one regex, independently of the one-pass scanner in normalizeEmail. */
function referenceNormalize(raw: string): string | null {
  let s = raw
    .replace(/[\s\u200B]+/g, '')
    .toLowerCase()
    .normalize('NFC')
    .toLowerCase();
  if (s.length > 254) return null;
  const at = s.indexOf('@');
  if (at < 1 || at > 64) return null;
  const u = '\\u{A0}-\\u{D7FF}\\u{E000}-\\u{10FFFF}';
  const atext = `[a-z0-9!#$%&'*+/=?^_\`{|}~\\-${u}]+`;
  const label = `[a-z0-9${u}](?:[a-z0-9\\-${u}]{0,61}[a-z0-9${u}])?`;
  const tld = `[a-z${u}](?:[a-z0-9\\-${u}]{0,61}[a-z0-9${u}])`;
  s = new RegExp(`^${atext}(?:\\.${atext})*@(?:${label}\\.)+${tld}$`, 'u').test(s) ? s : '';
  return s === '' ? null : s;
}

describe('normalizeEmail agrees with the reference rules', () => {
  it('on strings built from the characters that matter', () => {
    const local = fc
      .array(fc.constantFrom('a', 'Z', '0', '.', '-', '!', '(', ' ', 'é'), { maxLength: 6 })
      .map((a) => a.join(''));
    const domain = fc
      .array(fc.constantFrom('ex', 'a', 'com', '1', '-a', 'a-', '', 'é', 'İ', ' b'), {
        minLength: 1,
        maxLength: 4,
      })
      .map((a) => a.join('.'));
    const shaped = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
    const ch = fc.constantFrom(
      ...'aZ09.@-_+!( \t\u00A0\u200Béİ\u0301x'.split(''),
      'example',
      'com',
      '.co',
      '@ex.com',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(ch, { maxLength: 14 }).map((a) => a.join('')),
          shaped,
        ),
        (s) => {
          expect(normalizeEmail(s)).toBe(referenceNormalize(s));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on generated addresses and label/length edges', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (e) => {
        expect(normalizeEmail(e)).toBe(referenceNormalize(e));
      }),
    );
    for (const e of [
      `${'a'.repeat(64)}@x.com`,
      `${'a'.repeat(65)}@x.com`,
      `a@${'b'.repeat(63)}.com`,
      `a@${'b'.repeat(64)}.com`,
      'a@b.c',
      'a@b.c1',
      'a@b.1c',
      'a@-b.com',
      'a@b-.com',
      'a@b..com',
      'a@.b.com',
      'a@b.com.',
      'a.@b.com',
      'a@@b.com',
      'a b@c d.com',
    ]) {
      expect(normalizeEmail(e)).toBe(referenceNormalize(e));
    }
  });
});

describe('detectPrehashed', () => {
  const hex = (n: number) =>
    fc.string({ unit: fc.constantFrom(...HEX_ANY_CASE), minLength: n, maxLength: n });

  it('detects 64 and 128 hex digits in any case', () => {
    fc.assert(
      fc.property(hex(64), (h) => {
        expect(detectPrehashed(h)).toBe('SHA256_EMAIL');
      }),
    );
    fc.assert(
      fc.property(hex(128), (h) => {
        expect(detectPrehashed(h)).toBe('SHA512_EMAIL');
      }),
    );
  });

  it('ignores anything else', () => {
    expect(detectPrehashed('a'.repeat(63))).toBeNull();
    expect(detectPrehashed('a'.repeat(65))).toBeNull();
    expect(detectPrehashed(`${'a'.repeat(63)}g`)).toBeNull();
    expect(detectPrehashed('john@example.com')).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^[0-9a-f]{64}$|^[0-9a-f]{128}$/i.test(s));
        expect(detectPrehashed(s)).toBeNull();
      }),
    );
  });

  it('normalizeHashedEmail lower-cases and checks the expected type', () => {
    const h = 'AB'.repeat(32);
    expect(normalizeHashedEmail(` ${h} `, 'SHA256_EMAIL')).toBe(h.toLowerCase());
    expect(normalizeHashedEmail(h, 'SHA512_EMAIL')).toBeNull();
    expect(normalizeHashedEmail('john@example.com', 'SHA256_EMAIL')).toBeNull();
  });
});

describe('looksLikeEmail', () => {
  it('finds addresses inside free text', () => {
    expect(looksLikeEmail('Contact john.doe@example.com today')).toBe(true);
    expect(looksLikeEmail('<JOHN@EXAMPLE.COM>')).toBe(true);
    expect(looksLikeEmail('Mike')).toBe(false);
    expect(looksLikeEmail('Mike @ Acme')).toBe(false);
    expect(looksLikeEmail('AT&T @home')).toBe(false);
  });

  it('finds every generated address, wherever it is in the text', () => {
    fc.assert(
      fc.property(fc.string(), fc.emailAddress(), fc.string(), (pre, e, post) => {
        expect(looksLikeEmail(`${pre} ${e} ${post}`)).toBe(true);
        expect(looksLikeEmail(pre + e + post)).toBe(true);
      }),
    );
  });
});
