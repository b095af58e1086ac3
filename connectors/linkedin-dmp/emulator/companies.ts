/**
 * DMP Segment Companies: element validation (flat fields, limits as collected in linkedin-api.md §1.1)
 * and membership. LinkedIn removes a company only when the REMOVE carries the same metadata as the
 * ADD; the emulator answers such a REMOVE 201 but leaves the member in place ('mismatch').
 */
import { isCountryCode } from './countries.js';
import { type FieldError, isRecord, jsonEqual } from './http.js';
import type { Membership, Outcome } from './store.js';
import { sortedWithoutAction } from './users.js';
import { checkAction, checkNoRawEmail, invalid, optionalString } from './validation.js';

/** The identifier fields; at least one must be present and valid. */
export const COMPANY_IDENTIFIERS = [
  'companyName',
  'companyWebsiteDomain',
  'companyEmailDomain',
  'organizationUrn',
  'companyPageUrl',
] as const;

const ORGANIZATION_URN = /^urn:li:organization:\d+$/;

export function validateCompany(el: unknown): FieldError[] {
  if (!isRecord(el)) return [invalid('element', 'must be a JSON object', '/')];
  const errors: FieldError[] = [];
  checkAction(el, errors);
  let identifiers = 0;
  const count = (v: string | undefined) => {
    if (v !== undefined && v.trim() !== '') identifiers++;
  };
  count(optionalString(el, 'companyName', undefined, errors));
  count(optionalString(el, 'companyWebsiteDomain', undefined, errors));
  count(optionalString(el, 'companyEmailDomain', undefined, errors));
  const urn = optionalString(el, 'organizationUrn', undefined, errors);
  if (urn !== undefined && !ORGANIZATION_URN.test(urn)) {
    errors.push(invalid('organizationUrn', 'must be an OrganizationUrn, urn:li:organization:{id}'));
  } else count(urn);
  count(optionalString(el, 'companyPageUrl', 100, errors));
  optionalString(el, 'stockSymbol', 5, errors);
  optionalString(el, 'city', 50, errors);
  optionalString(el, 'state', 50, errors);
  optionalString(el, 'postalCode', 20, errors);
  const country = optionalString(el, 'country', undefined, errors);
  if (country !== undefined && !isCountryCode(country)) {
    errors.push(invalid('country', 'must be an ISO 3166-1 alpha-2 country code'));
  }
  checkIndustries(el.industries, errors);
  checkNoRawEmail(el, errors);
  if (identifiers === 0) {
    errors.push({
      field: 'companyName',
      type: 'MISSING_REQUIRED_FIELD',
      path: '/',
      text: `at least one of ${COMPANY_IDENTIFIERS.join(', ')} is required`,
    });
  }
  return errors;
}

function checkIndustries(v: unknown, errors: FieldError[]): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errors.push(invalid('industries', 'must be an array of strings'));
    return;
  }
  if (v.length > 3) errors.push(invalid('industries', `${v.length} entries exceed the maximum of 3`));
  v.forEach((item, i) => {
    if (typeof item !== 'string') errors.push(invalid('industries', 'must be a string', `/industries/${i}`));
    else if (item.length > 50) {
      errors.push(
        invalid('industries', `length ${item.length} exceeds the maximum of 50`, `/industries/${i}`),
      );
    }
  });
}

/** The identity of a company: the tuple of its identifier fields. */
function identityKey(el: Record<string, unknown>): string {
  return JSON.stringify(COMPANY_IDENTIFIERS.map((f) => el[f] ?? null));
}

function identifierKeys(el: Record<string, unknown>): string[] {
  const out: string[] = [];
  COMPANY_IDENTIFIERS.forEach((f, i) => {
    const v = el[f];
    if (typeof v === 'string' && v !== '') out.push(`${i}\u0000${v}`);
  });
  return out;
}

function sameMetadata(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const { action: _a, ...ra } = a;
  const { action: _b, ...rb } = b;
  return jsonEqual(ra, rb);
}

export class CompanyMembers implements Membership {
  private readonly byKey = new Map<string, Record<string, unknown>>();
  /** Identifier value -> identity keys holding it, to tell a mismatched REMOVE from an absent one. */
  private readonly byIdentifier = new Map<string, Set<string>>();

  get size(): number {
    return this.byKey.size;
  }

  apply(el: Record<string, unknown>): Outcome {
    const key = identityKey(el);
    const existing = this.byKey.get(key);
    if (el.action === 'REMOVE') {
      if (existing) {
        if (!sameMetadata(existing, el)) return 'mismatch';
        this.byKey.delete(key);
        for (const k of identifierKeys(existing)) {
          const set = this.byIdentifier.get(k);
          set?.delete(key);
          if (set?.size === 0) this.byIdentifier.delete(k);
        }
        return 'changed';
      }
      return identifierKeys(el).some((k) => this.byIdentifier.has(k)) ? 'mismatch' : 'noop';
    }
    if (existing) {
      if (jsonEqual(existing, el)) return 'noop';
      this.byKey.set(key, el);
      return 'changed';
    }
    this.byKey.set(key, el);
    for (const k of identifierKeys(el)) {
      const set = this.byIdentifier.get(k);
      if (set) set.add(key);
      else this.byIdentifier.set(k, new Set([key]));
    }
    return 'changed';
  }

  list(): Record<string, unknown>[] {
    return sortedWithoutAction(this.byKey.values());
  }

  clear(): void {
    this.byKey.clear();
    this.byIdentifier.clear();
  }
}
