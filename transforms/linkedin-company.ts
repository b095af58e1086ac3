/**
 * `linkedin-company` transform: source columns -> one LinkedIn /companies member per row on
 * `row.member` (COMPANY segments).
 */
import { z } from 'zod';
import { defineTransform } from '../core/plugin.js';
import { type ColumnSpec, cellText, createColumnReader, isNonText } from './columns.js';
import { buildCompanyMember, type CompanyInput } from './company.js';

const column = (what: string) => z.string().min(1).optional().describe(`Source column holding ${what}.`);

export const COMPANY_FIELDS = [
  'companyName',
  'companyWebsiteDomain',
  'companyEmailDomain',
  'organizationUrn',
  'companyPageUrl',
  'industries',
  'city',
  'state',
  'country',
  'postalCode',
  'stockSymbol',
] as const;
type CompanyField = (typeof COMPANY_FIELDS)[number];

export const LinkedinCompanyConfig = z.strictObject({
  fields: z
    .strictObject({
      companyName: column('company names'),
      companyWebsiteDomain: column('websites, URLs or domains (sent as a bare lower-case domain)'),
      companyEmailDomain: column('email domains or email addresses (only the domain is sent)'),
      organizationUrn: column('LinkedIn organization ids or urn:li:organization:N URNs'),
      companyPageUrl: column('LinkedIn company/school/showcase page URLs'),
      industries: column(
        'industries: an array, or one string joined with industrySeparator (max 3, 50 chars each)',
      ),
      city: column('cities (max 50 characters)'),
      state: column('states or regions (max 50 characters)'),
      country: column('countries (ISO alpha-2/alpha-3 code or English name)'),
      postalCode: column('postal codes (max 20 characters)'),
      stockSymbol: column('stock ticker symbols (max 5 characters, upper-cased)'),
    })
    .refine(
      (f) =>
        f.companyName !== undefined ||
        f.companyWebsiteDomain !== undefined ||
        f.companyEmailDomain !== undefined ||
        f.organizationUrn !== undefined ||
        f.companyPageUrl !== undefined,
      {
        message:
          'map at least one identifier: companyName, companyWebsiteDomain, companyEmailDomain, organizationUrn or companyPageUrl',
      },
    )
    .describe('LinkedIn company field -> source column name (exact match first, then case-insensitive).'),
  industrySeparator: z
    .string()
    .min(1)
    .default(';')
    .describe(
      "Separator of industries given as one string (default ';': industry names may contain commas).",
    ),
  overlong: z
    .enum(['truncate', 'drop'])
    .default('truncate')
    .describe(
      'A text field (city, state, an industry) over its limit is truncated (default) or dropped; postal codes and tickers are always dropped.',
    ),
  missingColumns: z
    .enum(['error', 'empty'])
    .default('error')
    .describe(
      "A mapped column absent from the first row: 'error' stops the run as a configuration error; 'empty' treats it as empty. Absent in later rows is always empty.",
    ),
});
export type LinkedinCompanyConfig = z.output<typeof LinkedinCompanyConfig>;

export const linkedinCompany = defineTransform({
  name: 'linkedin-company',
  identity: 'COMPANY',
  version: '0.1.0',
  description:
    'Builds the LinkedIn DMP company member of each row: name, normalized domains, organization URN, page URL, firmographics.',
  config: LinkedinCompanyConfig,
  create(config) {
    const mapped: CompanyField[] = [];
    const specs: ColumnSpec[] = [];
    for (const f of COMPANY_FIELDS) {
      const col = config.fields[f];
      if (col !== undefined) {
        mapped.push(f);
        specs.push({ keyPath: `fields.${f}`, column: col });
      }
    }
    const reader = createColumnReader(specs, {
      plugin: 'linkedin-company',
      missing: config.missingColumns,
    });
    const options = { overlong: config.overlong, industrySeparator: config.industrySeparator };
    return (row) => {
      const values = reader.read(row.data);
      const input: CompanyInput = {};
      const notes: string[] = [];
      for (let i = 0; i < mapped.length; i++) {
        const field = mapped[i]!;
        const v = values[i];
        if (field === 'industries' && Array.isArray(v)) {
          input.industries = v.map(cellText).filter((s): s is string => s !== undefined);
          continue;
        }
        const s = cellText(v);
        if (s !== undefined) input[field as Exclude<CompanyField, 'industries'>] = s;
        else if (isNonText(v)) notes.push(`${field}: not text, ignored`);
      }
      const built = buildCompanyMember(input, options);
      if ('rejected' in built) return built;
      row.companyMember = built.member;
      for (const n of built.notes) notes.push(n);
      if (notes.length > 0) row.notes = row.notes ? row.notes.concat(notes) : notes;
      return row;
    };
  },
});
