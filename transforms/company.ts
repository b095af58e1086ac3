/**
 * One LinkedIn /companies element (without `action`) and its identity key. Domains are bare,
 * lower-case and punycoded; page URLs are `linkedin.com/<company|school|showcase>/<slug>`; keys in
 * the API's field order so `JSON.stringify(payload)` is canonical.
 */
import { domainToASCII } from 'node:url';
import type { Member, Rejection } from '../core/plugin.js';
import { reject } from '../core/plugin.js';
import { normalizeCountry } from './country.js';
import { looksLikeEmail } from './email.js';
import { cleanText, joinFlat, type OverlongPolicy } from './text-fields.js';

export const COMPANY_LIMITS = {
  companyPageUrl: 100,
  industries: 3,
  industry: 50,
  city: 50,
  state: 50,
  postalCode: 20,
  stockSymbol: 5,
} as const;

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const HOST_END = /[/?#\\]/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function stripScheme(s: string): string {
  const m = SCHEME.exec(s);
  if (m) return s.slice(m[0].length);
  return s.startsWith('//') ? s.slice(2) : s;
}

/**
 * A website, URL, host or email address to a bare domain: scheme, userinfo (or an email's local
 * part), port, path, query, fragment and leading `www.` removed, lower case, internationalized
 * names in punycode. Null when no valid domain name remains (IP addresses, single labels...).
 */
export function normalizeDomain(raw: string): string | null {
  let s = stripScheme(raw.trim());
  const end = s.search(HOST_END);
  if (end !== -1) s = s.slice(0, end);
  const at = s.lastIndexOf('@');
  if (at !== -1) s = s.slice(at + 1);
  if (s.startsWith('[')) return null; // IPv6 literal
  const colon = s.indexOf(':');
  if (colon !== -1) s = s.slice(0, colon);
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s === '') return null;
  let d = domainToASCII(s);
  if (d.endsWith('.')) d = d.slice(0, -1);
  // `www.` goes only while a registrable-looking name remains: `www.com` stays as it is.
  while (d.startsWith('www.') && d.indexOf('.', 4) !== -1) d = d.slice(4);
  return d.length <= 253 && DOMAIN.test(d) ? d : null;
}

/** The domain of an email address (or of a bare domain / URL); the address itself is never kept. */
export function emailDomain(raw: string): string | null {
  const s = raw.trim();
  const at = s.lastIndexOf('@');
  return normalizeDomain(at === -1 ? s : s.slice(at + 1));
}

const ORG_URN = /^urn:li:(?:organization|company):0*(\d{1,19})$/i;
const ORG_ID = /^0*(\d{1,19})$/;

/**
 * A numeric organization id, `urn:li:organization:N` or legacy `urn:li:company:N` (same id space)
 * to `urn:li:organization:N`; null otherwise.
 */
export function normalizeOrganizationUrn(raw: string | number): string | null {
  const s = String(raw).trim();
  const m = ORG_URN.exec(s) ?? ORG_ID.exec(s);
  const id = m?.[1];
  return id === undefined || id === '0' ? null : joinFlat('urn:li:organization:', id);
}

const PAGE_KINDS = new Set(['company', 'school', 'showcase']);
const LINKEDIN_HOST = /^(?:[a-z]{2,3}\.)?linkedin\.com$/;
const SLUG = /^[^\s@?#/\\]+$/u;

/** A LinkedIn page URL in canonical form, without the length check. */
function canonicalPageUrl(raw: string): string | null {
  let s = stripScheme(raw.trim());
  const q = s.search(/[?#]/);
  if (q !== -1) s = s.slice(0, q);
  const slash = s.indexOf('/');
  if (slash === -1) return null;
  let host = s.slice(0, slash).toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (!LINKEDIN_HOST.test(host)) return null;
  const [kind, slug] = s
    .slice(slash + 1)
    .split('/')
    .filter((p) => p !== '');
  if (kind === undefined || slug === undefined || !PAGE_KINDS.has(kind.toLowerCase()) || !SLUG.test(slug)) {
    return null;
  }
  // `www.` and country hosts are dropped and slugs lower-cased: one spelling per page.
  return joinFlat('linkedin.com/', kind.toLowerCase(), '/', slug.toLowerCase());
}

/**
 * A LinkedIn company, school or showcase page URL to `linkedin.com/<kind>/<slug>` (scheme, `www.`,
 * country host, query, fragment and sub-pages dropped); null when not such a page or over 100 chars.
 */
export function normalizeCompanyPageUrl(raw: string): string | null {
  const url = canonicalPageUrl(raw);
  return url !== null && url.length <= COMPANY_LIMITS.companyPageUrl ? url : null;
}

const TICKER = /^[A-Z0-9.-]+$/;

export interface CompanyInput {
  companyName?: string;
  companyWebsiteDomain?: string;
  companyEmailDomain?: string;
  organizationUrn?: string;
  companyPageUrl?: string;
  /** An array, or one string joined with `industrySeparator`. */
  industries?: string | readonly string[];
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
  stockSymbol?: string;
}

export interface CompanyOptions {
  overlong: OverlongPolicy;
  /** Separator of a string `industries` value. */
  industrySeparator: string;
}

export const NO_COMPANY_IDENTIFIER =
  'no company identifier (name, website domain, email domain, organization URN or page URL)';

function present(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

function industriesOf(v: string | readonly string[], options: CompanyOptions, notes: string[]): string[] {
  const parts = typeof v === 'string' ? v.split(options.industrySeparator) : v;
  const out: string[] = [];
  const seen: string[] = [];
  for (const p of parts) {
    const s = cleanText(p, 'industries', COMPANY_LIMITS.industry, options.overlong, notes);
    if (s === undefined) continue;
    // "Software" and "software" are one industry: keep the first spelling.
    const l = s.toLowerCase();
    if (!seen.includes(l)) {
      seen.push(l);
      out.push(s);
    }
  }
  if (out.length > COMPANY_LIMITS.industries) {
    notes.push(`industries: more than ${COMPANY_LIMITS.industries}, extra dropped`);
    out.length = COMPANY_LIMITS.industries;
  }
  return out;
}

/** A code (postal code, ticker): too long means wrong, so it is dropped, never truncated. */
function code(raw: string | undefined, field: string, limit: number, notes: string[]): string | undefined {
  if (!present(raw)) return undefined;
  const s = raw.trim();
  if (looksLikeEmail(s)) {
    notes.push(`${field}: contains an email address, dropped`);
    return undefined;
  }
  if (s.length > limit) {
    notes.push(`${field}: longer than ${limit} characters, dropped`);
    return undefined;
  }
  return s;
}

/**
 * Builds the member for one company row, or rejects it (`identity`) when no identifier is valid.
 * Identity key: `org:<urn>`, else `domain:<website>`, `edomain:<email domain>`, `page:<url>`, `name:<name>`.
 */
export function buildCompanyMember(
  input: CompanyInput,
  options: CompanyOptions,
): { member: Member; notes: string[] } | Rejection {
  const notes: string[] = [];
  // Identifier problems: notes when another identifier carries the row, else named in the rejection.
  const invalid: string[] = [];
  const problems: string[] = [];
  const bad = (field: string, note: string): undefined => {
    invalid.push(field);
    problems.push(`${field}: ${note}`);
    return undefined;
  };
  let name: string | undefined;
  if (present(input.companyName)) {
    name = input.companyName.trim();
    if (looksLikeEmail(name)) name = bad('companyName', 'contains an email address, dropped');
  }
  const check = (
    raw: string | undefined,
    field: string,
    fn: (s: string) => string | null,
  ): string | undefined => {
    if (!present(raw)) return undefined;
    return fn(raw) ?? bad(field, 'invalid, dropped');
  };
  const website = check(input.companyWebsiteDomain, 'companyWebsiteDomain', normalizeDomain);
  const edomain = check(input.companyEmailDomain, 'companyEmailDomain', emailDomain);
  const urn = check(input.organizationUrn, 'organizationUrn', normalizeOrganizationUrn);
  let page: string | undefined;
  if (present(input.companyPageUrl)) {
    const url = canonicalPageUrl(input.companyPageUrl);
    if (url === null) bad('companyPageUrl', 'not a LinkedIn company, school or showcase page, dropped');
    else if (url.length > COMPANY_LIMITS.companyPageUrl) {
      bad('companyPageUrl', `longer than ${COMPANY_LIMITS.companyPageUrl} characters, dropped`);
    } else page = url;
  }

  if (
    name === undefined &&
    website === undefined &&
    edomain === undefined &&
    urn === undefined &&
    page === undefined
  ) {
    const reason =
      invalid.length > 0 ? `${NO_COMPANY_IDENTIFIER}; invalid: ${invalid.join(', ')}` : NO_COMPANY_IDENTIFIER;
    return reject('identity', reason);
  }
  for (const p of problems) notes.push(p);

  const industries = input.industries === undefined ? [] : industriesOf(input.industries, options, notes);
  const city = cleanText(input.city, 'city', COMPANY_LIMITS.city, options.overlong, notes);
  const state = cleanText(input.state, 'state', COMPANY_LIMITS.state, options.overlong, notes);
  let country: string | undefined;
  if (present(input.country)) {
    country = normalizeCountry(input.country) ?? undefined;
    if (country === undefined) notes.push('country: unknown, dropped');
  }
  const postalCode = code(input.postalCode, 'postalCode', COMPANY_LIMITS.postalCode, notes);
  let stockSymbol = code(input.stockSymbol?.toUpperCase(), 'stockSymbol', COMPANY_LIMITS.stockSymbol, notes);
  if (stockSymbol !== undefined && !TICKER.test(stockSymbol)) {
    notes.push('stockSymbol: invalid, dropped');
    stockSymbol = undefined;
  }

  const payload: Record<string, unknown> = {};
  if (name !== undefined) payload.companyName = name;
  if (website !== undefined) payload.companyWebsiteDomain = website;
  if (edomain !== undefined) payload.companyEmailDomain = edomain;
  if (urn !== undefined) payload.organizationUrn = urn;
  if (page !== undefined) payload.companyPageUrl = page;
  if (industries.length > 0) payload.industries = industries;
  if (city !== undefined) payload.city = city;
  if (state !== undefined) payload.state = state;
  if (country !== undefined) payload.country = country;
  if (postalCode !== undefined) payload.postalCode = postalCode;
  if (stockSymbol !== undefined) payload.stockSymbol = stockSymbol;

  const key =
    urn !== undefined
      ? `org:${urn}`
      : website !== undefined
        ? `domain:${website}`
        : edomain !== undefined
          ? `edomain:${edomain}`
          : page !== undefined
            ? `page:${page}`
            : `name:${name!.toLowerCase()}`;
  return { member: { key, payload }, notes };
}
