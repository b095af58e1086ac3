/**
 * Country to ISO 3166-1 alpha-2, upper case (LinkedIn's schema says "ISO two-letter code"; its one
 * example uses "us", we send "US" as ISO writes it). Accepts alpha-2, alpha-3 and English names,
 * case-, accent-, punctuation- and whitespace-insensitively. Unknown values give null.
 */
import { COUNTRIES } from './country-data.js';

/** Spellings beyond the ISO/CLDR names in country-data.ts. */
const EXTRA_NAMES: Readonly<Record<string, readonly string[]>> = {
  US: ['U.S.', 'U.S.A.', 'America', 'United States of America', 'The States'],
  GB: ['U.K.', 'Great Britain', 'Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland'],
  NL: ['Holland', 'The Netherlands'],
  CZ: ['Czech Republic'],
  CI: ['Ivory Coast'],
  CV: ['Cape Verde'],
  TR: ['Turkey'],
  SZ: ['Swaziland'],
  MK: ['Macedonia', 'Republic of Macedonia'],
  MM: ['Burma'],
  TL: ['East Timor'],
  VA: ['Vatican', 'Holy See'],
  PS: ['Palestine'],
  MO: ['Macau'],
  AE: ['UAE', 'U.A.E.', 'Emirates'],
  CD: ['DRC', 'DR Congo', 'Congo-Kinshasa', 'Democratic Republic of Congo'],
  CG: ['Republic of the Congo', 'Congo-Brazzaville'],
  IE: ['Republic of Ireland', 'Eire'],
  CN: ['PRC', 'Mainland China'],
  KR: ['Korea, South'],
  KP: ['Korea, North'],
  VN: ['Viet Nam'],
  LA: ['Lao PDR'],
  BA: ['Bosnia'],
};

/** Alpha-2 codes that are not ISO but are common in data: the UK is GB in ISO 3166-1. */
const ALPHA2_ALIASES: Readonly<Record<string, string>> = { UK: 'GB' };

const ALPHA2 = new Set<string>();
const ALPHA3 = new Map<string, string>();
const NAMES = new Map<string, string>();

const COMBINING_MARKS = /\p{M}+/gu;
const NOT_ALNUM = /[^a-z0-9]+/g;
const LEADING_THE = /^the\s+/;
const LETTERS2 = /^[A-Za-z]{2}$/;
const LETTERS3 = /^[A-Za-z]{3}$/;

/** Comparison key of a name: accents, case, punctuation, spaces and a leading "the" ignored. */
export function countryNameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .trim()
    .replace(LEADING_THE, '')
    .replace(/&/g, ' and ')
    .replace(NOT_ALNUM, '');
}

for (const [a2, a3, ...names] of COUNTRIES) {
  if (a2 === undefined || a3 === undefined) continue;
  ALPHA2.add(a2);
  ALPHA3.set(a3, a2);
  for (const n of names) NAMES.set(countryNameKey(n), a2);
}
for (const [a2, names] of Object.entries(EXTRA_NAMES))
  for (const n of names) NAMES.set(countryNameKey(n), a2);

// Country columns hold few distinct values; remember them so names are normalized once, not per row.
const cache = new Map<string, string | null>();
const CACHE_MAX = 4096;

/** ISO 3166-1 alpha-2 (upper case) for a code or English name, or null when unknown. */
export function normalizeCountry(raw: string): string | null {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const result = resolve(raw.trim());
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(raw, result);
  return result;
}

function resolve(s: string): string | null {
  // Only a bare two/three-letter value is read as a code: "N/A" must not become Namibia (NA).
  if (LETTERS2.test(s)) {
    const up = s.toUpperCase();
    if (ALPHA2.has(up)) return up;
    return ALPHA2_ALIASES[up] ?? null;
  }
  if (LETTERS3.test(s)) {
    const a2 = ALPHA3.get(s.toUpperCase());
    if (a2 !== undefined) return a2;
  }
  const key = countryNameKey(s);
  return key === '' ? null : (NAMES.get(key) ?? null);
}

/** Every alpha-2 code known, for tests and docs. */
export function allAlpha2(): string[] {
  return [...ALPHA2];
}
