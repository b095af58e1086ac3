/**
 * SHA-256/512 as lower-case hex. Node's one-shot `crypto.hash` (Node >= 20.12) is about 3x cheaper
 * per email than a `createHash` object (see perf notes); older runtimes fall back to createHash.
 */
import * as crypto from 'node:crypto';

export type HashAlgorithm = 'sha256' | 'sha512';

/** Always available: the createHash path, exported so tests can check both paths agree. */
export function createHashHex(algorithm: HashAlgorithm, s: string): string {
  return crypto.createHash(algorithm).update(s, 'utf8').digest('hex');
}

// Read once: typeof on a namespace member, so a runtime without it falls back instead of throwing.
const oneShot: typeof crypto.hash | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** Which implementation is in use, for diagnostics and benchmarks. */
export const hashImplementation: 'crypto.hash' | 'createHash' = oneShot ? 'crypto.hash' : 'createHash';

export const sha256Hex: (s: string) => string = oneShot
  ? (s) => oneShot('sha256', s, 'hex')
  : (s) => createHashHex('sha256', s);

export const sha512Hex: (s: string) => string = oneShot
  ? (s) => oneShot('sha512', s, 'hex')
  : (s) => createHashHex('sha512', s);

/** Hashes an already normalized email (see `normalizeEmail`); never call it on a hash. */
export function hashEmail(normalized: string, algorithm: HashAlgorithm): string {
  return algorithm === 'sha256' ? sha256Hex(normalized) : sha512Hex(normalized);
}
