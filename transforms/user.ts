/**
 * One LinkedIn /users element (without `action`) from already extracted text values, plus its
 * identity key. Key order and userIds order are fixed so `JSON.stringify(payload)` is canonical.
 */
import type { Member, Rejection } from '../core/plugin.js';
import { reject } from '../core/plugin.js';
import { normalizeCountry } from './country.js';
import { detectPrehashed, type HashedEmailType, normalizeEmail, normalizeHashedEmail } from './email.js';
import { explainGoogleAid, normalizeGoogleAid } from './google-aid.js';
import { type HashAlgorithm, hashEmail } from './hash.js';
import { cleanText, type OverlongPolicy, USER_TEXT_LIMITS } from './text-fields.js';

export interface UserInput {
  email?: string;
  sha256Email?: string;
  sha512Email?: string;
  googleAid?: string;
  firstName?: string;
  lastName?: string;
  title?: string;
  company?: string;
  country?: string;
}

export interface UserOptions {
  /** Algorithm for raw emails; pre-hashed values keep their own type. */
  hash: HashAlgorithm;
  overlong: OverlongPolicy;
}

export interface UserId {
  idType: HashedEmailType | 'GOOGLE_AID';
  idValue: string;
}

export interface BuiltMember {
  member: Member;
  notes: string[];
}

/** Appends to a list allocated only when needed (most rows have no problem). */
function add(list: string[] | undefined, item: string): string[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** Present and not blank; the common non-blank case is decided without allocating a trimmed copy. */
function present(v: string | undefined): v is string {
  if (v === undefined || v.length === 0) return false;
  const c = v.charCodeAt(0);
  return (c > 32 && c !== 0xa0 && c < 0x1680) || v.trim() !== '';
}

function pushId(ids: UserId[], idType: UserId['idType'], idValue: string): void {
  for (const id of ids) if (id.idType === idType && id.idValue === idValue) return;
  ids.push({ idType, idValue });
}

/** `a|b` must not collide with `a` + `|b`: escape the separator inside names. */
function keyPart(s: string): string {
  const l = s.toLowerCase();
  return l.includes('|') || l.includes('\\') ? l.replace(/[\\|]/g, '\\$&') : l;
}

/**
 * Builds the member for one row, or rejects it (`identity`) when it has no valid email hash, no
 * valid GOOGLE_AID and not both firstName and lastName. Reasons and notes never contain values.
 */
export function buildUserMember(input: UserInput, options: UserOptions): BuiltMember | Rejection {
  const notes: string[] = [];
  // Each problem is a value-free label: a note when another identifier carries the row, else part of the rejection.
  let problems: string[] | undefined;
  let sha256: string | undefined;
  let sha512: string | undefined;
  let sha256b: string | undefined;
  let sha512b: string | undefined;

  const hasEmail = present(input.email);
  if (hasEmail) {
    const trimmed = input.email!.trim();
    const pre = detectPrehashed(trimmed);
    if (pre === 'SHA256_EMAIL') sha256 = trimmed.toLowerCase();
    else if (pre === 'SHA512_EMAIL') sha512 = trimmed.toLowerCase();
    else {
      const normalized = normalizeEmail(trimmed);
      if (normalized === null) problems = add(problems, 'email: invalid');
      else if (options.hash === 'sha256') sha256 = hashEmail(normalized, 'sha256');
      else sha512 = hashEmail(normalized, 'sha512');
    }
  }
  const hasSha256 = present(input.sha256Email);
  if (hasSha256) {
    sha256b = normalizeHashedEmail(input.sha256Email!, 'SHA256_EMAIL') ?? undefined;
    if (sha256b === undefined) problems = add(problems, 'sha256Email: invalid (not 64 hex digits)');
  }
  const hasSha512 = present(input.sha512Email);
  if (hasSha512) {
    sha512b = normalizeHashedEmail(input.sha512Email!, 'SHA512_EMAIL') ?? undefined;
    if (sha512b === undefined) problems = add(problems, 'sha512Email: invalid (not 128 hex digits)');
  }

  let aid: string | undefined;
  const hasAid = present(input.googleAid);
  if (hasAid) {
    aid = normalizeGoogleAid(input.googleAid!) ?? undefined;
    if (aid === undefined)
      problems = add(problems, `googleAid: invalid (${explainGoogleAid(input.googleAid!)})`);
  }

  const firstName = cleanText(
    input.firstName,
    'firstName',
    USER_TEXT_LIMITS.firstName,
    options.overlong,
    notes,
  );
  const lastName = cleanText(input.lastName, 'lastName', USER_TEXT_LIMITS.lastName, options.overlong, notes);

  const ids: UserId[] = [];
  if (sha256 !== undefined) ids.push({ idType: 'SHA256_EMAIL', idValue: sha256 });
  if (sha256b !== undefined) pushId(ids, 'SHA256_EMAIL', sha256b);
  if (sha512 !== undefined) ids.push({ idType: 'SHA512_EMAIL', idValue: sha512 });
  if (sha512b !== undefined) pushId(ids, 'SHA512_EMAIL', sha512b);
  if (aid !== undefined) ids.push({ idType: 'GOOGLE_AID', idValue: aid });

  if (ids.length === 0 && (firstName === undefined || lastName === undefined)) {
    const parts = problems?.map((p) => p.replace(':', '')) ?? [];
    if (!hasEmail && !hasSha256 && !hasSha512) parts.unshift('no email');
    if (!hasAid) parts.push('no googleAid');
    parts.push(
      firstName === undefined && lastName === undefined
        ? 'no firstName+lastName'
        : firstName === undefined
          ? 'no valid firstName'
          : 'no valid lastName',
    );
    return reject('identity', `no valid identifier: ${parts.join(', ')}`);
  }
  if (problems) for (const p of problems) notes.push(p);

  const title = cleanText(input.title, 'title', USER_TEXT_LIMITS.title, options.overlong, notes);
  const company = cleanText(input.company, 'company', USER_TEXT_LIMITS.company, options.overlong, notes);
  let country: string | undefined;
  if (present(input.country)) {
    country = normalizeCountry(input.country) ?? undefined;
    if (country === undefined) notes.push('country: unknown, dropped');
  }

  const payload: Record<string, unknown> = {};
  if (ids.length > 0) payload.userIds = ids;
  if (firstName !== undefined) payload.firstName = firstName;
  if (lastName !== undefined) payload.lastName = lastName;
  if (title !== undefined) payload.title = title;
  if (company !== undefined) payload.company = company;
  if (country !== undefined) payload.country = country;

  const id0 = ids[0];
  const key =
    id0 === undefined
      ? `name:${keyPart(firstName!)}|${keyPart(lastName!)}`
      : id0.idType === 'SHA256_EMAIL'
        ? `sha256:${id0.idValue}`
        : id0.idType === 'SHA512_EMAIL'
          ? `sha512:${id0.idValue}`
          : `aid:${id0.idValue}`;

  return { member: { key, payload }, notes };
}
