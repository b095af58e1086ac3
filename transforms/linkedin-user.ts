/**
 * `linkedin-user` transform: source columns -> one LinkedIn /users member per row (hashed ids,
 * limited text fields, ISO country) on `row.member`. Hot path: columns are resolved once per
 * distinct key set, and a row costs one input object, its payload and its hash calls.
 */
import { z } from 'zod';
import { defineTransform } from '../core/plugin.js';
import { type ColumnSpec, createColumnReader, isNonText, textAt } from './columns.js';
import { buildUserMember, type UserInput } from './user.js';

const column = (what: string) => z.string().min(1).optional().describe(`Source column holding ${what}.`);

export const USER_FIELDS = [
  'email',
  'sha256Email',
  'sha512Email',
  'googleAid',
  'firstName',
  'lastName',
  'title',
  'company',
  'country',
] as const;
type UserField = (typeof USER_FIELDS)[number];

export const LinkedinUserConfig = z.strictObject({
  fields: z
    .strictObject({
      email: column(
        'raw emails (normalized and hashed), or email hashes of 64/128 hex digits (sent as they are)',
      ),
      sha256Email: column('SHA-256 email hashes (64 hex digits)'),
      sha512Email: column('SHA-512 email hashes (128 hex digits)'),
      googleAid: column('Google advertising ids (UUIDs)'),
      firstName: column('first names (max 35 characters)'),
      lastName: column('last names (max 35 characters)'),
      title: column('job titles (max 100 characters)'),
      company: column('company names (max 50 characters)'),
      country: column('countries (ISO alpha-2/alpha-3 code or English name)'),
    })
    .refine(
      (f) =>
        f.email !== undefined ||
        f.sha256Email !== undefined ||
        f.sha512Email !== undefined ||
        f.googleAid !== undefined ||
        (f.firstName !== undefined && f.lastName !== undefined),
      {
        message:
          'map at least one identifier: email, sha256Email, sha512Email, googleAid, or firstName and lastName',
      },
    )
    .describe('LinkedIn user field -> source column name (exact match first, then case-insensitive).'),
  hash: z
    .enum(['sha256', 'sha512'])
    .default('sha256')
    .describe(
      'Hash for raw emails: sha256 (SHA256_EMAIL) or sha512 (SHA512_EMAIL). Pre-hashed values keep their type.',
    ),
  overlong: z
    .enum(['truncate', 'drop'])
    .default('truncate')
    .describe(
      'A text field over its LinkedIn limit is truncated (default) or dropped; either way a note is counted.',
    ),
  missingColumns: z
    .enum(['error', 'empty'])
    .default('error')
    .describe(
      "A mapped column absent from the first row: 'error' stops the run as a configuration error (typo, renamed column); 'empty' treats it as empty. Absent in later rows is always empty (JSON exports omit NULLs).",
    ),
});
export type LinkedinUserConfig = z.output<typeof LinkedinUserConfig>;

export const linkedinUser = defineTransform({
  name: 'linkedin-user',
  identity: 'USER',
  version: '0.1.0',
  description:
    'Builds the LinkedIn DMP user member of each row: normalized and hashed email, Google AID, names, title, company, country.',
  config: LinkedinUserConfig,
  create(config) {
    const mapped: UserField[] = [];
    const specs: ColumnSpec[] = [];
    for (const f of USER_FIELDS) {
      const col = config.fields[f];
      if (col !== undefined) {
        mapped.push(f);
        specs.push({ keyPath: `fields.${f}`, column: col });
      }
    }
    // Position of each field in the reader's values, -1 when unmapped.
    const at = (f: UserField) => mapped.indexOf(f);
    const [pEmail, pSha256, pSha512, pAid, pFirst, pLast, pTitle, pCompany, pCountry] = USER_FIELDS.map(
      at,
    ) as number[];
    const reader = createColumnReader(specs, { plugin: 'linkedin-user', missing: config.missingColumns });
    const options = { hash: config.hash, overlong: config.overlong };
    // One input object reused for every row (buildUserMember is synchronous and keeps nothing of it).
    const input: UserInput = {
      email: undefined,
      sha256Email: undefined,
      sha512Email: undefined,
      googleAid: undefined,
      firstName: undefined,
      lastName: undefined,
      title: undefined,
      company: undefined,
      country: undefined,
    };
    return (row) => {
      const v = reader.read(row.data);
      let nonText: string[] | undefined;
      for (let i = 0; i < v.length; i++) {
        if (typeof v[i] !== 'string' && isNonText(v[i])) {
          nonText ??= [];
          nonText.push(`${mapped[i]}: not text, ignored`);
        }
      }
      input.email = textAt(v, pEmail!);
      input.sha256Email = textAt(v, pSha256!);
      input.sha512Email = textAt(v, pSha512!);
      input.googleAid = textAt(v, pAid!);
      input.firstName = textAt(v, pFirst!);
      input.lastName = textAt(v, pLast!);
      input.title = textAt(v, pTitle!);
      input.company = textAt(v, pCompany!);
      input.country = textAt(v, pCountry!);
      const built = buildUserMember(input, options);
      if ('rejected' in built) return built;
      row.member = built.member;
      const notes = nonText ? nonText.concat(built.notes) : built.notes;
      if (notes.length > 0) row.notes = row.notes ? row.notes.concat(notes) : notes;
      return row;
    };
  },
});
