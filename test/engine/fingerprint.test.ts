/**
 * Fingerprints are stored in every SQLite checkpoint: a change to what they compute would make the
 * next diff wrong for every existing state file, so they are pinned here (a new definition needs a
 * schema migration that re-fingerprints, as v4 did for payloads).
 */
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPrint, payloadPrint, valuePrint } from '../../core/engine/fingerprint.js';

/** The definition keyPrint's checkpoints were written with (schema v2), in its plain form. */
function referenceKeyPrint(key: string): [number, number] {
  if (/^sha(?:256:[0-9a-f]{64}|512:[0-9a-f]{128})$/.test(key)) {
    let a = 0x9e3779b9;
    let b = 0x85ebca6b;
    for (let i = 20; i < key.length; i += 7) {
      const w = Number.parseInt(key.slice(i, i + 7), 16);
      a = Math.imul(a ^ w, 0x01000193);
      a ^= a >>> 15;
      b = Math.imul(b + w, 0xc2b2ae35);
      b ^= b >>> 13;
    }
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    b = Math.imul(b ^ (b >>> 16), 0x27d4eb2f);
    return [Number.parseInt(key.slice(7, 20), 16), (a >>> 0) * 0x100000 + ((b ^ (b >>> 13)) >>> 12)];
  }
  const h = hash('md5', key, 'hex');
  return [Number.parseInt(h.slice(0, 13), 16), Number.parseInt(h.slice(13, 26), 16)];
}

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const nearlyHashed = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
  hex(64).map((h) => `sha512:${h}`), // wrong length for its algorithm
  hex(64).map((h) => `SHA256:${h}`),
  fc
    // Beyond ASCII, 'á' (U+00E1) and 'ı' (U+0131) share their low 7 bits with 'a' and '1'.
    .tuple(hex(64), fc.nat(63), fc.constantFrom('G', 'A', ' ', 'é', '\u00e1', '\u0131'))
    .map(([h, i, c]) => `sha256:${h.slice(0, i)}${c}${h.slice(i + 1)}`),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
);

describe('keyPrint', () => {
  it('computes exactly what schema v2 stored, for hashed keys and anything else', () => {
    fc.assert(
      fc.property(nearlyHashed, (key) => {
        expect(keyPrint(key)).toEqual(referenceKeyPrint(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives 52-bit integers', () => {
    fc.assert(
      fc.property(nearlyHashed, (key) => {
        for (const v of keyPrint(key)) expect(Number.isSafeInteger(v) && v >= 0 && v < 2 ** 52).toBe(true);
      }),
    );
  });
});

describe('payloadPrint', () => {
  it('is pinned: schema v4 stored these', () => {
    expect([payloadPrint('{}'), payloadPrint('{"firstName":"Ada","title":"CTO"}')]).toMatchInlineSnapshot(`
      [
        3690145943105481,
        117251764997260,
      ]
    `);
  });

  it('changes when any one code unit of the payload changes', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), fc.nat(), fc.nat(0xffff), (s, at, c) => {
        const i = at % s.length;
        if (s.charCodeAt(i) === c) return;
        const t = s.slice(0, i) + String.fromCharCode(c) + s.slice(i + 1);
        expect(payloadPrint(t)).not.toBe(payloadPrint(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives 52-bit integers', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = payloadPrint(s);
        expect(Number.isSafeInteger(v) && v >= 0 && v < 2 ** 52).toBe(true);
      }),
    );
  });
});

describe('valuePrint', () => {
  const same = (v: unknown) => {
    expect(valuePrint(v)).toBe(payloadPrint(JSON.stringify(v)));
  };
  // Strings of any code units: lone surrogates, control characters, quotes and backslashes.
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\ud800', '\udc00', 'é', 'a') }),
  );
  const odd = fc.constantFrom(
    undefined,
    () => 1,
    Symbol('s'),
    Number.NaN,
    -0,
    Number.POSITIVE_INFINITY,
    1e21,
    0.1,
  );
  const plain = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      odd,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(text, fc.nat(20).map(String)), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('equals payloadPrint of JSON.stringify for any plain data (escapes, surrogates, omitted values)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(text, fc.nat(20).map(String)), plain, { maxKeys: 6 }), same),
      { numRuns: 3000 },
    );
  });

  it('equals it for what the member builders produce, and for values it leaves to JSON.stringify', () => {
    same({
      userIds: [{ idType: 'SHA256_EMAIL', idValue: 'ab'.repeat(32) }],
      firstName: 'Zoë',
      lastName: 'O"Brien\\',
      company: 'Acme\u2028',
      title: undefined,
      country: 'US',
    });
    same({ 2: 'b', 1: 'a', z: 'z', a: [undefined, null] });
    same(Object.assign(Object.create(null), { a: 1 }));
    same({ when: new Date(0), nested: { toJSON: () => 'x' } });
    same({ boxed: new String('s'), map: new Map([[1, 2]]) });
    same([1, 'two', { three: 3 }]);
  });
});
