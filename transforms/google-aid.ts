/**
 * GOOGLE_AID (Android advertising id). LinkedIn documents "plain text, max 32 characters, lower case",
 * yet real advertising ids are 36-character UUIDs (8-4-4-4-12) and production integrations send them
 * as-is. We accept a UUID with or without hyphens and always send the canonical lower-case hyphenated
 * form, so the two spellings of one id give the same identity key and payload.
 */

const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const COMPACT = /^[0-9a-fA-F]{32}$/;
// A device with "limit ad tracking" reports all zeros: the same value for millions of people.
const ZEROED = '00000000-0000-0000-0000-000000000000';

/** The canonical id (lower-case, hyphenated UUID), or null: ask `explainGoogleAid` why. */
export function normalizeGoogleAid(raw: string): string | null {
  const s = raw.trim();
  let id: string;
  if (s.length === 36 && HYPHENATED.test(s)) id = s.toLowerCase();
  else if (s.length === 32 && COMPACT.test(s)) {
    const h = s.toLowerCase();
    id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  } else return null;
  return id === ZEROED ? null : id;
}

/**
 * Why a value is not a valid GOOGLE_AID (a UUID: 8-4-4-4-12 hex digits, hyphens optional).
 * Never includes the value itself.
 */
export function explainGoogleAid(raw: string): string {
  const s = raw.trim();
  if (s === '') return 'empty';
  if (normalizeGoogleAid(s) !== null) return 'valid';
  if (/^[0-]+$/.test(s)) return 'all zeros: ad tracking limited on the device';
  return 'not a UUID';
}
