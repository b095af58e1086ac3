import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { isRejection, type PipelineRow } from '../../core/plugin.js';
import { LinkedinCompanyConfig, linkedinCompany } from '../../transforms/linkedin-company.js';
import { row, testContext } from './helpers.js';

function make(config: unknown) {
  return linkedinCompany.create(LinkedinCompanyConfig.parse(config), testContext());
}

describe('linkedin-company transform', () => {
  it('applies defaults and requires an identifier column', () => {
    expect(LinkedinCompanyConfig.parse({ fields: { companyName: 'name' } })).toEqual({
      fields: { companyName: 'name' },
      industrySeparator: ';',
      overlong: 'truncate',
      missingColumns: 'error',
    });
    expect(LinkedinCompanyConfig.safeParse({ fields: { city: 'city' } }).success).toBe(false);
  });

  it('builds row.companyMember from columns, industries from an array or a joined string', () => {
    const fn = make({
      fields: {
        companyName: 'NAME',
        companyWebsiteDomain: 'website',
        industries: 'industries',
        country: 'country',
      },
    });
    const a = fn(
      row({
        NAME: 'Acme',
        WEBSITE: 'https://www.acme.com/about',
        INDUSTRIES: ['Software', 'Retail'],
        COUNTRY: 'uk',
      }),
    ) as PipelineRow;
    expect(a.companyMember).toEqual({
      key: 'domain:acme.com',
      payload: {
        companyName: 'Acme',
        companyWebsiteDomain: 'acme.com',
        industries: ['Software', 'Retail'],
        country: 'GB',
      },
    });
    const b = fn(
      row({ NAME: 'Acme', WEBSITE: '', INDUSTRIES: 'Oil, Gas; Retail', COUNTRY: 'Narnia' }),
    ) as PipelineRow;
    expect(b.companyMember).toEqual({
      key: 'name:acme',
      payload: { companyName: 'Acme', industries: ['Oil, Gas', 'Retail'] },
    });
    expect(b.notes).toEqual(['country: unknown, dropped']);
  });

  it('reads a numeric organization id and rejects rows without identifier', () => {
    const fn = make({ fields: { organizationUrn: 'org_id', city: 'city' } });
    expect((fn(row({ org_id: 1035, city: 'Redmond' })) as PipelineRow).companyMember?.key).toBe(
      'org:urn:li:organization:1035',
    );
    const r = fn(row({ org_id: null, city: 'Redmond' }));
    expect(isRejection(r) && r.field).toBe('identity');
  });

  it('an absent column is a ConfigError at fields.<name>', () => {
    const fn = make({ fields: { companyName: 'company' } });
    expect(() => fn(row({ name: 'Acme' }))).toThrow(ConfigError);
  });
});
