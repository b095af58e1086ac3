/**
 * Email normalization (LinkedIn: lower-case, strip whitespace, then hash), pre-hash detection and
 * raw-email detection in free text. Pure functions; every regex is compiled once.
 */

// `\s` covers Unicode spaces (NBSP, U+2028...); U+200B is invisible and pasted along with addresses.
const WHITESPACE_G = /[\s\u200B]+/g;
const HAS_WHITESPACE = /[\s\u200B]/;
const NON_ASCII = /[\u0080-\uFFFF]/;

// Non-ASCII letters are allowed (RFC 6531), minus C1 controls and lone surrogates.
const U = '\\u{A0}-\\u{D7FF}\\u{E000}-\\u{10FFFF}';
const ATEXT = `[a-z0-9!#$%&'*+/=?^_\`{|}~\\-${U}]+`;
const LABEL = `[a-z0-9${U}](?:[a-z0-9\\-${U}]{0,61}[a-z0-9${U}])?`;
// The last label starts with a letter: rejects IP literals like `1.2.3.4` and numeric TLDs.
const TLD = `[a-z${U}](?:[a-z0-9\\-${U}]{0,61}[a-z0-9${U}])`;
const EMAIL = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@(?:${LABEL}\\.)+${TLD}$`, 'u');
// The same rules for ASCII-only addresses (nearly all of them): a non-unicode regex is much cheaper.
const A_ATEXT = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
const A_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const EMAIL_ASCII = new RegExp(
  `^${A_ATEXT}(?:\\.${A_ATEXT})*@(?:${A_LABEL}\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])$`,
);

const MAX_LOCAL = 64;
const MAX_TOTAL = 254;

/**
 * Normalizes an email for hashing: removes all whitespace, lower-cases, NFC-composes non-ASCII text,
 * then validates (dot-atom local part of 1..64 characters, a domain with a dot and valid labels,
 * at most 254 characters). Returns null when the result is not a plausible address.
 */
export function normalizeEmail(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  const fast = scanAsciiEmail(s);
  if (fast === 1) return s;
  if (fast === 0) return null;
  // Inner whitespace, controls or non-ASCII text: the general path.
  let t = HAS_WHITESPACE.test(s) ? s.replace(WHITESPACE_G, '') : s;
  // Composed and decomposed accents must hash the same.
  const ascii = !NON_ASCII.test(t);
  if (!ascii) t = t.normalize('NFC').toLowerCase();
  if (t.length > MAX_TOTAL || t.length < 5) return null;
  const at = t.indexOf('@');
  if (at < 1 || at > MAX_LOCAL) return null;
  return (ascii ? EMAIL_ASCII : EMAIL).test(t) ? t : null;
}

// ASCII classes for the one-pass check: 1 = local-part character (atext), 2 = also a label character.
const CLASS = new Uint8Array(128);
for (const c of "!#$%&'*+/=?^_`{|}~") CLASS[c.charCodeAt(0)] = 1;
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-') CLASS[c.charCodeAt(0)] = 2;

/**
 * The common case in one pass over a trimmed, lower-cased string, without regexes: 1 = a valid
 * ASCII address, 0 = invalid, -1 = contains whitespace, a control or non-ASCII (use the general path).
 * Same rules as EMAIL_ASCII.
 */
function scanAsciiEmail(s: string): -1 | 0 | 1 {
  const n = s.length;
  let i = 0;
  let prev = 46; // '.', so a leading dot is refused
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127) return -1;
    if (c === 64) break; // '@'
    if (c === 46) {
      if (prev === 46) return 0;
    } else if (CLASS[c] === 0) return 0;
    prev = c;
  }
  if (i === 0 || i === n || i > MAX_LOCAL || prev === 46 || n > MAX_TOTAL) return scanRest(s, i + 1);
  let labelStart = i + 1;
  let labels = 0;
  let firstOfLast = 0;
  for (let j = i + 1; j <= n; j++) {
    const c = j === n ? 46 : s.charCodeAt(j);
    if (c === 46) {
      const len = j - labelStart;
      if (len === 0 || len > 63 || s.charCodeAt(labelStart) === 45 || s.charCodeAt(j - 1) === 45) {
        return scanRest(s, j);
      }
      firstOfLast = s.charCodeAt(labelStart);
      labels++;
      labelStart = j + 1;
      continue;
    }
    if (c <= 32 || c >= 127) return -1;
    if (CLASS[c] !== 2) return scanRest(s, j);
  }
  // At least two labels; the last one has 2+ characters and starts with a letter.
  const lastLen = n - (s.lastIndexOf('.') + 1);
  return labels >= 2 && lastLen >= 2 && firstOfLast >= 97 && firstOfLast <= 122 ? 1 : 0;
}

/** Invalid as it stands, unless whitespace or non-ASCII further on sends it to the general path. */
function scanRest(s: string, from: number): -1 | 0 {
  for (let k = Math.max(from, 0); k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c <= 32 || c >= 127) return -1;
  }
  return 0;
}

export type HashedEmailType = 'SHA256_EMAIL' | 'SHA512_EMAIL';

const HEX64 = /^[0-9a-fA-F]{64}$/;
const HEX128 = /^[0-9a-fA-F]{128}$/;

/** A value of exactly 64 or 128 hex digits (any case) is an email hash already: never hash it again. */
export function detectPrehashed(value: string): HashedEmailType | null {
  if (value.length === 64) return HEX64.test(value) ? 'SHA256_EMAIL' : null;
  if (value.length === 128) return HEX128.test(value) ? 'SHA512_EMAIL' : null;
  return null;
}

/** The canonical form of a hash of the expected type (lower-case hex), or null. */
export function normalizeHashedEmail(value: string, expected: HashedEmailType): string | null {
  const v = value.trim();
  return detectPrehashed(v) === expected ? v.toLowerCase() : null;
}

// Deliberately broader than `normalizeEmail`: anything shaped like local@domain.tld inside text.
const EMBEDDED_EMAIL = /[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}/u;

/** True when `text` contains something that looks like a raw email address (e.g. in a name or title). */
export function looksLikeEmail(text: string): boolean {
  return text.indexOf('@') !== -1 && EMBEDDED_EMAIL.test(text);
}
