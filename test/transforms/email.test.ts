import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectPrehashed,
  looksLikeEmail,
  normalizeEmail,
  normalizeEmailFull,
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

/**
 * normalizeEmail decides most addresses on a fast path (a one-pass scan for text below U+0300);
 * normalizeEmailFull always takes the full path (whitespace removal, NFC, the
 * Unicode regex). They must agree on every input: the fast path must not weaken validation.
 */
describe('normalizeEmail: the fast path agrees with the full path', () => {
  // Characters that steer the paths: ASCII of every class, capitals, Latin-1 and Latin Extended
  // letters (fast scan), NBSP/controls/U+0300+ (full path), combining marks, case-changing
  // specials (İ lower-cases to i + U+0307; Ⱥ to U+2C65), surrogates.
  const special = [
    ...'aAzZ09.@-_+!#~`\'"(),;:<>[]\\ \t\n\r\u000b\u0000\u007f',
    '\u0080',
    '\u0085',
    '\u00a0',
    '\u00a1',
    '\u00ad',
    '\u00c0',
    '\u00e4',
    '\u00ff',
    '\u0130',
    '\u0131',
    '\u017f',
    '\u023a',
    '\u02ff',
    '\u0300',
    '\u0301',
    '\u0308',
    '\u0345',
    '\u03a3',
    '\u1e9e',
    '\u200b',
    '\u2028',
    '\u212a',
    '\ufeff',
    '\ud83d',
    '\ude00',
    '\ud83d\ude00',
  ];
  const ch = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...special) },
    { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0x2ff }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  );
  const text = (max: number) => fc.array(ch, { maxLength: max }).map((a) => a.join(''));
  const label = fc.oneof(
    fc.constantFrom('example', 'COM', 'de', 'x', 'a-b', '-a', 'a-', '1', 'co', 'exämple', 'ÄB', ''),
    text(6),
  );
  const address = fc
    .tuple(
      fc.oneof(fc.constantFrom('john.doe', 'A', 'a..b', '.a', 'a.', 'Jürgen', ''), text(8)),
      fc.array(label, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('', ' ', '  ', '\t', '\u00a0'),
      fc.constantFrom('', ' ', '\n', '\u200b'),
    )
    .map(([local, labels, pre, post]) => `${pre}${local}@${labels.join('.')}${post}`);

  it('on addresses built from the characters that steer the paths', () => {
    fc.assert(
      fc.property(fc.oneof(address, text(16)), (s) => {
        expect(normalizeEmail(s)).toBe(normalizeEmailFull(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('on generated RFC addresses in any case, padded or not', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), fc.constantFrom('', ' ', '\t\n'), (e, upper, pad) => {
        const s = `${pad}${upper ? e.toUpperCase() : e}${pad}`;
        expect(normalizeEmail(s)).toBe(normalizeEmailFull(s));
      }),
      { numRuns: 5_000 },
    );
  });

  it('on length limits: local part 64, label 63, total 254', () => {
    const cases: string[] = [];
    for (const n of [63, 64, 65]) cases.push(`${'a'.repeat(n)}@x.com`, `${'ä'.repeat(n)}@x.com`);
    for (const n of [62, 63, 64]) {
      cases.push(`a@${'b'.repeat(n)}.com`, `a@x.${'c'.repeat(n)}`, `a@${'é'.repeat(n)}.com`);
    }
    const domain = Array.from({ length: 7 }, () => 'd'.repeat(30)).join('.');
    for (const n of [250, 251, 252, 253, 254, 255, 256]) {
      const local = 'l'.repeat(n - domain.length - 1 - 4);
      cases.push(`${local}@${domain}.com`, `${local}@${domain}.äöü`);
    }
    for (const s of cases) {
      expect(normalizeEmail(s), s).toBe(normalizeEmailFull(s));
      expect(normalizeEmail(s.toUpperCase()), s).toBe(normalizeEmailFull(s.toUpperCase()));
    }
    expect(normalizeEmail(`${'l'.repeat(254 - domain.length - 5)}@${domain}.com`)).not.toBeNull();
    expect(normalizeEmail(`${'l'.repeat(255 - domain.length - 5)}@${domain}.com`)).toBeNull();
  });

  it('gives the full path answers on the common shapes', () => {
    for (const [raw, want] of [
      ['john.doe@example.com', 'john.doe@example.com'],
      ['  John.Doe@Example.COM ', 'john.doe@example.com'],
      ['josé@exämple.de', 'josé@exämple.de'],
      ['JOSÉ@EXÄMPLE.DE', 'josé@exämple.de'],
      ['a@b.c', null],
      ['a@1.2.3.4', null],
      ['a b@example.com', 'ab@example.com'],
      ['i\u0307@example.com', 'i\u0307@example.com'],
    ] as const) {
      expect(normalizeEmail(raw)).toBe(want);
      expect(normalizeEmailFull(raw)).toBe(want);
    }
  });
});
