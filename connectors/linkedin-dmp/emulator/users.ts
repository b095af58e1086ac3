/**
 * DMP Segment Users: element validation (rules from LinkedIn's users page) and membership.
 * A user is identified by its typed ids; a user sent with names only is identified by first+last name.
 */
import { isCountryCode } from './countries.js';
import { type FieldError, isRecord, jsonEqual } from './http.js';
import type { Membership, Outcome } from './store.js';
import {
  checkAction,
  checkNoRawEmail,
  containsRawEmail,
  invalid,
  missing,
  notEnum,
  optionalString,
} from './validation.js';

/** Supported idTypes and the one-character prefix used in membership keys. */
const ID_TYPES: Record<string, string> = { SHA256_EMAIL: '1', SHA512_EMAIL: '2', GOOGLE_AID: '3' };
const SHA256 = /^[0-9a-fA-F]{64}$/;
const SHA512 = /^[0-9a-fA-F]{128}$/;
/** The page says 32 chars, but real advertising ids are 36-char UUIDs: the emulator accepts up to 36. */
export const GOOGLE_AID_MAX = 36;

function checkUserId(id: unknown, errors: FieldError[]): boolean {
  if (!isRecord(id)) {
    errors.push(invalid('userIds', 'each entry must be a TypedId object', '/userIds'));
    return false;
  }
  const t = id.idType;
  const v = id.idValue;
  if (t === undefined || t === null) {
    errors.push(missing('userIds', '/userIds/idType'));
    return false;
  }
  if (typeof t !== 'string' || !Object.hasOwn(ID_TYPES, t)) {
    errors.push(notEnum('userIds', '/userIds/idType', t));
    return false;
  }
  if (v === undefined || v === null) {
    errors.push(missing('userIds', '/userIds/idValue'));
    return false;
  }
  if (typeof v !== 'string') {
    errors.push(invalid('userIds', 'idValue must be a string', '/userIds/idValue'));
    return false;
  }
  let problem: string | undefined;
  if (t === 'SHA256_EMAIL' && !SHA256.test(v)) problem = 'a SHA256_EMAIL idValue must be 64 hex characters';
  else if (t === 'SHA512_EMAIL' && !SHA512.test(v))
    problem = 'a SHA512_EMAIL idValue must be 128 hex characters';
  else if (t === 'GOOGLE_AID' && (v.length === 0 || v.length > GOOGLE_AID_MAX || /\s/.test(v)))
    problem = `a GOOGLE_AID idValue must be 1 to ${GOOGLE_AID_MAX} characters without whitespace`;
  else if (t === 'GOOGLE_AID' && v !== v.toLowerCase()) problem = 'a GOOGLE_AID idValue must be lower case';
  if (problem) {
    errors.push(invalid('userIds', problem, '/userIds/idValue'));
    return false;
  }
  return true;
}

/** Every rule failure of one user element; empty when valid. */
export function validateUser(el: unknown): FieldError[] {
  if (!isRecord(el)) return [invalid('element', 'must be a JSON object', '/')];
  const errors: FieldError[] = [];
  checkAction(el, errors);
  let validIds = 0;
  const before = errors.length;
  const ids = el.userIds;
  if (ids !== undefined && ids !== null) {
    if (!Array.isArray(ids)) errors.push(invalid('userIds', 'must be an array of TypedId'));
    else for (const id of ids) if (checkUserId(id, errors)) validIds++;
  }
  const idErrors = errors.length > before;
  const first = optionalString(el, 'firstName', 35, errors);
  const last = optionalString(el, 'lastName', 35, errors);
  optionalString(el, 'title', 100, errors);
  optionalString(el, 'company', 50, errors);
  const country = optionalString(el, 'country', undefined, errors);
  if (country !== undefined && !isCountryCode(country)) {
    errors.push(invalid('country', 'must be an ISO 3166-1 alpha-2 country code'));
  }
  checkNoRawEmail(el, errors);
  const namesValid =
    first !== undefined &&
    last !== undefined &&
    first.trim() !== '' &&
    last.trim() !== '' &&
    !containsRawEmail(first) &&
    !containsRawEmail(last);
  // Bad ids already explain the failure; the identifier rule is reported only when no id was offered.
  if (validIds === 0 && !namesValid && !idErrors) {
    errors.push({
      field: 'userIds',
      type: 'MISSING_REQUIRED_FIELD',
      path: '/userIds',
      text: 'at least one valid ID, or a valid firstName and lastName, is required',
    });
  }
  return errors;
}

interface TypedId {
  idType: string;
  idValue: string;
}

/** Membership keys of a validated element: its typed ids, or its name when it has none. */
function keysOf(el: Record<string, unknown>): string[] {
  const ids = el.userIds as TypedId[] | undefined;
  if (ids && ids.length > 0) return ids.map((id) => ID_TYPES[id.idType] + id.idValue.toLowerCase());
  const norm = (v: unknown) => String(v).trim().toLowerCase();
  return [`n${norm(el.firstName)}\u0000${norm(el.lastName)}`];
}

export class UserMembers implements Membership {
  /** Each member is stored once per key; the value is the ADD element as sent (action included). */
  private readonly byKey = new Map<string, Record<string, unknown>>();
  size = 0;

  apply(el: Record<string, unknown>): Outcome {
    const keys = keysOf(el);
    if (keys.length === 1) {
      // Fast path (one id per element, the common case): no set of candidates needed.
      const key = keys[0]!;
      const m = this.byKey.get(key);
      if (el.action === 'REMOVE') {
        if (!m) return 'noop';
        this.unindex(m);
        this.size--;
        return 'changed';
      }
      if (m === undefined) {
        this.byKey.set(key, el);
        this.size++;
        return 'changed';
      }
      if (jsonEqual(m, el)) return 'noop';
      this.unindex(m);
      this.byKey.set(key, el);
      return 'changed';
    }
    const existing = new Set<Record<string, unknown>>();
    for (const k of keys) {
      const m = this.byKey.get(k);
      if (m) existing.add(m);
    }
    if (el.action === 'REMOVE') {
      for (const m of existing) this.unindex(m);
      this.size -= existing.size;
      return existing.size > 0 ? 'changed' : 'noop';
    }
    if (existing.size === 1) {
      const [only] = existing;
      if (jsonEqual(only, el)) return 'noop';
    }
    // A new member, or a changed one: members sharing any id are merged into this element.
    for (const m of existing) this.unindex(m);
    this.size -= existing.size;
    for (const k of keys) this.byKey.set(k, el);
    this.size++;
    return 'changed';
  }

  private unindex(m: Record<string, unknown>): void {
    for (const k of keysOf(m)) if (this.byKey.get(k) === m) this.byKey.delete(k);
  }

  list(): Record<string, unknown>[] {
    return sortedWithoutAction(new Set(this.byKey.values()));
  }

  clear(): void {
    this.byKey.clear();
    this.size = 0;
  }
}

/**
 * Members without `action`, sorted by their JSON text. Deterministic for the same input (key order
 * is the sender's); canonical key order would cost ~10x on a million members.
 */
export function sortedWithoutAction(members: Iterable<Record<string, unknown>>): Record<string, unknown>[] {
  const rows: { key: string; value: Record<string, unknown> }[] = [];
  for (const m of members) {
    const { action: _action, ...rest } = m;
    rows.push({ key: JSON.stringify(rest), value: rest });
  }
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return rows.map((r) => r.value);
}
