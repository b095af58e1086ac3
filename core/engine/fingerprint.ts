/**
 * Compact fingerprints the SQLite store diffs on: two integers for an identity key, one for a
 * payload. Comparing 20-byte index entries keeps a 1M-member diff inside the page cache, where
 * comparing the 300-byte rows themselves meant a random disk page per member.
 *
 * A key fingerprint is 104 bits: a collision among 100M members of one segment is about 1e-15 likely.
 * A payload fingerprint is 52 bits: a changed payload goes unnoticed with probability 2^-52.
 * MD5 is a well-spread checksum here, not a security boundary (keys are hashes or names already).
 */
import { hash } from 'node:crypto';

/** 13 hex digits = 52 bits: exact in a JS number and in SQLite's 64-bit INTEGER. */
const DIGITS = 13;
const HASHED_KEY = /^sha(?:256:[0-9a-f]{64}|512:[0-9a-f]{128})$/;

export function keyPrint(key: string): [number, number] {
  // Hashed-email keys already are uniform hex: take the first 52 bits as they are and fold ALL the
  // rest into the second 52 (so made-up "hashes" sharing a prefix still differ). Saves an MD5 per member.
  if (HASHED_KEY.test(key)) return [Number.parseInt(key.slice(7, 7 + DIGITS), 16), fold(key, 7 + DIGITS)];
  const h = hash('md5', key, 'hex');
  return [Number.parseInt(h.slice(0, DIGITS), 16), Number.parseInt(h.slice(DIGITS, 2 * DIGITS), 16)];
}

export function payloadPrint(payload: string): number {
  return Number.parseInt(hash('md5', payload, 'hex').slice(0, DIGITS), 16);
}

/** Two 32-bit multiply-xorshift lanes over the hex digits from `from`, as a 52-bit number. */
function fold(hex: string, from: number): number {
  let a = 0x9e3779b9;
  let b = 0x85ebca6b;
  for (let i = from; i < hex.length; i += 7) {
    const w = Number.parseInt(hex.slice(i, i + 7), 16);
    a = Math.imul(a ^ w, 0x01000193);
    a ^= a >>> 15;
    b = Math.imul(b + w, 0xc2b2ae35);
    b ^= b >>> 13;
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 16), 0x27d4eb2f);
  return (a >>> 0) * 0x100000 + ((b ^ (b >>> 13)) >>> 12);
}
