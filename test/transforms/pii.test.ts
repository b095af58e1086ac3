/** Whatever the input, a raw email never reaches a payload or an identity key. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRejection, type PipelineRow, type TransformFn } from '../../core/plugin.js';
import { looksLikeEmail } from '../../transforms/email.js';
import { COMPANY_FIELDS, LinkedinCompanyConfig, linkedinCompany } from '../../transforms/linkedin-company.js';
import { LinkedinUserConfig, linkedinUser, USER_FIELDS } from '../../transforms/linkedin-user.js';
import { row, testContext } from './helpers.js';

/** A cell holding an email: bare, messy, or inside text. */
const emailCell = fc
  .tuple(
    fc.emailAddress(),
    fc.constantFrom('', ' ', 'Name ', 'https://', 'mailto:'),
    fc.constantFrom('', ' ', ' (work)', '/x'),
    fc.boolean(),
  )
  .map(([e, pre, post, upper]) => {
    const v = `${pre}${e}${post}`;
    return { email: e, cell: upper ? v.toUpperCase() : v };
  });

function assertNoEmail(out: PipelineRow, emails: string[]): void {
  const json = JSON.stringify(out.member) + JSON.stringify(out.notes ?? []);
  expect(looksLikeEmail(json)).toBe(false);
  for (const e of emails) {
    expect(json.toLowerCase()).not.toContain(e.toLowerCase());
  }
}

/** Every mapped field holds a (disguised) email: the row is rejected without quoting one, or built without any. */
function emailsInEveryField(fn: TransformFn, fields: readonly string[]): void {
  fc.assert(
    fc.property(fc.array(emailCell, { minLength: fields.length, maxLength: fields.length }), (cells) => {
      const data = Object.fromEntries(fields.map((f, i) => [f, cells[i]!.cell]));
      const out = fn(row(data));
      if (isRejection(out)) {
        expect(looksLikeEmail(out.reason)).toBe(false);
        return;
      }
      assertNoEmail(
        out,
        cells.map((c) => c.email),
      );
    }),
  );
}

describe('no raw email anywhere in the output', () => {
  it('linkedin-user: emails in every field', () => {
    const fields = Object.fromEntries(USER_FIELDS.map((f) => [f, f]));
    emailsInEveryField(linkedinUser.create(LinkedinUserConfig.parse({ fields }), testContext()), USER_FIELDS);
  });

  it('linkedin-user: an email among otherwise valid names, titles and companies', () => {
    const fn = linkedinUser.create(
      LinkedinUserConfig.parse({
        fields: { googleAid: 'aid', firstName: 'f', lastName: 'l', title: 't', company: 'c', country: 'co' },
      }),
      testContext(),
    );
    fc.assert(
      fc.property(emailCell, fc.constantFrom('f', 'l', 't', 'c', 'co'), fc.uuid(), (cell, where, aid) => {
        const data: Record<string, string> = { aid, f: 'Ann', l: 'Lee', t: 'CTO', c: 'Acme', co: 'FR' };
        data[where] = `${data[where]} ${cell.cell}`;
        const out = fn(row(data));
        if (!isRejection(out)) assertNoEmail(out, [cell.email]);
      }),
    );
  });

  it('linkedin-company: emails in every field (an email domain may be kept, never the address)', () => {
    const fields = Object.fromEntries(COMPANY_FIELDS.map((f) => [f, f]));
    emailsInEveryField(
      linkedinCompany.create(LinkedinCompanyConfig.parse({ fields }), testContext()),
      COMPANY_FIELDS,
    );
  });
});
