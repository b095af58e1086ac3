/**
 * Compact fingerprints the SQLite store diffs on: two integers for an identity key, one for a
 * payload. Comparing 20-byte index entries keeps a 1M-member diff inside the page cache, where
 * comparing the 300-byte rows themselves meant a random disk page per member.
 *
 * A key fingerprint is 104 bits: a collision among 100M members of one segment is about 1e-15 likely.
 * A payload fingerprint is 52 bits: a changed payload goes unnoticed with probability 2^-52.
 * Neither is a security boundary (keys are hashes or names already); both run once per member per
 * run, so they are written to allocate nothing on the common path.
 */
import { hash } from 'node:crypto';

/** 13 hex digits = 52 bits: exact in a JS number and in SQLite's 64-bit INTEGER. */
const DIGITS = 13;
const PREFIX = 7; // "sha256:" / "sha512:"

export function keyPrint(key: string): [number, number] {
  const out: [number, number] = [0, 0];
  keyPrintInto(key, out, 0);
  return out;
}

/**
 * Writes a key's fingerprint at out[at], out[at + 1]. Hashed-email keys (`sha256:` + 64 or `sha512:`
 * + 128 lower-case hex digits) already are uniform: the first 52 bits are taken as they are and ALL
 * the rest is folded into the second 52 (so made-up "hashes" sharing a prefix still differ). Any
 * other key is MD5'd.
 */
export function keyPrintInto(key: string, out: Float64Array | number[], at: number): void {
  const len = key.length;
  if (
    (len === PREFIX + 64 && key.startsWith('sha256:')) ||
    (len === PREFIX + 128 && key.startsWith('sha512:'))
  ) {
    const k1 = hexValue(key, PREFIX, PREFIX + DIGITS);
    const k2 = k1 < 0 ? -1 : fold(key, PREFIX + DIGITS);
    if (k2 >= 0) {
      out[at] = k1;
      out[at + 1] = k2;
      return;
    }
  }
  const h = hash('md5', key, 'hex');
  out[at] = Number.parseInt(h.slice(0, DIGITS), 16);
  out[at + 1] = Number.parseInt(h.slice(DIGITS, 2 * DIGITS), 16);
}

/**
 * The payload's fingerprint: two 32-bit multiplicative lanes over its UTF-16 code units, 32 + 20
 * bits. Lane a is FNV-1a, a bijection per step, so a payload that differs in one code unit always
 * gets another fingerprint. (Schema v4 re-fingerprinted rows stored under the former MD5-based one.)
 */
export function payloadPrint(payload: string): number {
  lanes.a = 0x811c9dc5 | 0;
  lanes.b = 0x9e3779b9 | 0;
  feedRaw(payload);
  return finish();
}

/**
 * `payloadPrint(JSON.stringify(value))` without building the JSON: the same code units are fed as
 * they would be written, escapes included. Plain data only (objects, arrays, strings, finite and
 * non-finite numbers, booleans, null); anything else (toJSON, Date, Map, bigint...) is serialized.
 * The runner fingerprints every staged member, and most are unchanged: their JSON is never needed.
 */
export function valuePrint(value: unknown): number {
  lanes.a = 0x811c9dc5 | 0;
  lanes.b = 0x9e3779b9 | 0;
  return feedValue(value) ? finish() : payloadPrint(JSON.stringify(value));
}

/**
 * A source row's fingerprint for the row cache (52 bits, as a payload's): its field names, then
 * each value. A string value is fed as its length and code units (no JSON escaping to check); any
 * other value as its JSON. Field names are fed as one number per distinct name list: a source's rows
 * share the same name strings, so the list is compared by identity and hashed once.
 */
export function rowPrint(data: Record<string, unknown>): number {
  let i = 0;
  let same = true;
  for (const k in data) {
    if (names[i] !== k) same = false;
    i++;
  }
  if (!same || i !== names.length) {
    names = Object.keys(data);
    namesPrint = valuePrint(names);
  }
  lanes.a = 0x811c9dc5 | 0;
  lanes.b = 0x9e3779b9 | 0;
  feedUnit(namesPrint % 0x10000);
  feedUnit(Math.floor(namesPrint / 0x10000) % 0x10000);
  feedUnit(Math.floor(namesPrint / 0x100000000));
  for (const k in data) {
    const v = data[k];
    if (typeof v === 'string') {
      feedUnit(v.length & 0xffff);
      feedUnit(v.length >>> 16);
      feedRaw(v);
    } else {
      // Not a string: a marker no string length starts with, then its JSON (or its type's name).
      feedUnit(0xffff);
      feedUnit(0xffff);
      const json = v === undefined ? 'undefined' : JSON.stringify(v);
      feedRaw(typeof json === 'string' ? json : typeof v);
    }
  }
  return finish();
}

/** The field names of the last row `rowPrint` saw, and their fingerprint. */
let names: string[] = [];
let namesPrint = 0;

/** The lanes while a payload is fed (one payload at a time: no call here re-enters). */
const lanes = { a: 0, b: 0 };

function finish(): number {
  let a = lanes.a;
  let b = lanes.b;
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0) * 0x100000 + (b >>> 12);
}

/** Feeds code units as they are. */
function feedRaw(s: string): void {
  let a = lanes.a;
  let b = lanes.b;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  lanes.a = a;
  lanes.b = b;
}

/** Feeds one code unit. */
function feedUnit(c: number): void {
  lanes.a = Math.imul(lanes.a ^ c, 0x01000193);
  const b = Math.imul(lanes.b ^ c, 0x5bd1e995);
  lanes.b = b ^ (b >>> 15);
}

/** JSON.stringify's short escapes: \b \t \n \f \r. */
const SHORT: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };

/** Feeds a string as JSON.stringify writes it: quoted, escaped, lone surrogates as \uXXXX. */
function feedString(s: string): void {
  feedUnit(34);
  let a = lanes.a;
  let b = lanes.b;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 34 && c !== 92 && (c < 0xd800 || c > 0xdfff)) {
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
      continue;
    }
    lanes.a = a;
    lanes.b = b;
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      feedUnit(c); // a well-formed pair stays as it is
      feedUnit(next);
      i++;
    } else {
      feedUnit(92);
      const short = c === 34 || c === 92 ? c : SHORT[c];
      if (short !== undefined) feedUnit(short);
      else feedRaw(`u${c.toString(16).padStart(4, '0')}`);
    }
    a = lanes.a;
    b = lanes.b;
  }
  lanes.a = a;
  lanes.b = b;
  feedUnit(34);
}

/** Feeds a value as JSON.stringify writes it; false when it is not plain data (then nothing is valid). */
function feedValue(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      feedString(v);
      return true;
    case 'number':
      feedRaw(Number.isFinite(v) ? String(v) : 'null');
      return true;
    case 'boolean':
      feedRaw(v ? 'true' : 'false');
      return true;
    case 'object':
      break;
    default:
      return false; // undefined, function, symbol, bigint: left to JSON.stringify
  }
  if (v === null) {
    feedRaw('null');
    return true;
  }
  if (Array.isArray(v)) {
    feedUnit(91);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) feedUnit(44);
      const x: unknown = v[i];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') feedRaw('null');
      else if (!feedValue(x)) return false;
    }
    feedUnit(93);
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (
    (proto !== Object.prototype && proto !== null) ||
    typeof (v as { toJSON?: unknown }).toJSON === 'function'
  )
    return false;
  feedUnit(123);
  let first = true;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const x: unknown = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    if (!first) feedUnit(44);
    first = false;
    feedString(k);
    feedUnit(58);
    if (!feedValue(x)) return false;
  }
  feedUnit(125);
  return true;
}

/** Lower-case hex digit values by character code; -1 for anything else (a table: no branches). */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) HEX['0123456789abcdef'.charCodeAt(c)] = c;

/** The value of s[from, to) as lower-case hex digits, or -1 if any is not one. */
function hexValue(s: string, from: number, to: number): number {
  let v = 0;
  // Any non-digit makes `bad` negative (table -1) or above 127 (a code unit beyond ASCII).
  let bad = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const d = HEX[c & 127]!;
    bad |= d | (c & ~127);
    v = v * 16 + d;
  }
  return bad < 0 || bad > 127 ? -1 : v;
}

/**
 * Two 32-bit multiply-xorshift lanes over the hex digits from `from`, 7 digits a word, as a 52-bit
 * number; -1 if a digit is not lower-case hex.
 */
function fold(hex: string, from: number): number {
  let a = 0x9e3779b9;
  let b = 0x85ebca6b;
  for (let i = from; i < hex.length; i += 7) {
    const w = hexValue(hex, i, Math.min(i + 7, hex.length));
    if (w < 0) return -1;
    a = Math.imul(a ^ w, 0x01000193);
    a ^= a >>> 15;
    b = Math.imul(b + w, 0xc2b2ae35);
    b ^= b >>> 13;
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 16), 0x27d4eb2f);
  return (a >>> 0) * 0x100000 + ((b ^ (b >>> 13)) >>> 12);
}
