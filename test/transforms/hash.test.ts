import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHashHex, hashEmail, hashImplementation, sha256Hex, sha512Hex } from '../../transforms/hash.js';

describe('hash', () => {
  it('matches the published test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha512Hex('abc')).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('uses the one-shot crypto.hash on this runtime', () => {
    expect(hashImplementation).toBe('crypto.hash');
  });

  it('gives 64 / 128 lower-case hex digits, identical to createHash, UTF-8 encoded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const a = sha256Hex(s);
        const b = sha512Hex(s);
        expect(a).toMatch(/^[0-9a-f]{64}$/);
        expect(b).toMatch(/^[0-9a-f]{128}$/);
        expect(a).toBe(createHashHex('sha256', s));
        expect(b).toBe(createHashHex('sha512', s));
      }),
    );
  });

  it('hashEmail picks the algorithm', () => {
    expect(hashEmail('john@example.com', 'sha256')).toBe(sha256Hex('john@example.com'));
    expect(hashEmail('john@example.com', 'sha512')).toBe(sha512Hex('john@example.com'));
  });
});
