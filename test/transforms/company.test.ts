import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCompanyMember,
  type CompanyOptions,
  emailDomain,
  NO_COMPANY_IDENTIFIER,
  normalizeCompanyPageUrl,
  normalizeDomain,
  normalizeOrganizationUrn,
} from '../../transforms/company.js';

const opts: CompanyOptions = { overlong: 'truncate', industrySeparator: ';' };

describe('normalizeDomain', () => {
  it.each([
    ['microsoft.com', 'microsoft.com'],
    ['https://WWW.Microsoft.com:443/en-us/?q=1#top', 'microsoft.com'],
    ['http://user:pass@www.example.co.uk/', 'example.co.uk'],
    ['//cdn.example.org/x', 'cdn.example.org'],
    ['www.www.example.com', 'example.com'],
    ['www.com', 'www.com'],
    ['jane@Acme.com', 'acme.com'],
    ['mailto:jane@acme.com', 'acme.com'],
    ['Bücher.de', 'xn--bcher-kva.de'],
    ['https://例え.jp/path', 'xn--r8jz45g.jp'],
    ['example.com.', 'example.com'],
    ['1.2.3.4', null],
    ['http://[::1]:8080/', null],
    ['localhost', null],
    ['ex ample.com', null],
    ['', null],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeDomain(raw)).toBe(expected);
  });

  it('is idempotent and its output has no scheme, www, path, port or upper case', () => {
    const inputs = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.domain(),
      fc.domain().map((d) => `WWW.${d.toUpperCase()}:8080/Path`),
      fc.emailAddress(),
      fc.string(),
    );
    fc.assert(
      fc.property(inputs, (s) => {
        const d = normalizeDomain(s);
        if (d === null) return;
        expect(normalizeDomain(d)).toBe(d);
        expect(d).not.toMatch(/[:/?#@A-Z\s]/);
        expect(d.startsWith('www.') && d.split('.').length > 2).toBe(false);
        expect(d).toBe(d.toLowerCase());
      }),
    );
  });

  it('finds the host of any generated web URL', () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), (host, path) => {
        const expected = normalizeDomain(host);
        expect(normalizeDomain(`https://${host}${path}`)).toBe(expected);
      }),
    );
  });
});

describe('emailDomain', () => {
  it('keeps only the domain of an address', () => {
    expect(emailDomain(' Jane.Doe@Sub.Acme.COM ')).toBe('sub.acme.com');
    expect(emailDomain('acme.com')).toBe('acme.com');
    expect(emailDomain('@acme.com')).toBe('acme.com');
    expect(emailDomain('jane@')).toBeNull();
  });
});

describe('normalizeOrganizationUrn', () => {
  it.each([
    ['1035', 'urn:li:organization:1035'],
    [' 001035 ', 'urn:li:organization:1035'],
    ['urn:li:organization:1035', 'urn:li:organization:1035'],
    ['URN:LI:Organization:1035', 'urn:li:organization:1035'],
    ['urn:li:company:1035', 'urn:li:organization:1035'],
    ['0', null],
    ['urn:li:person:1035', null],
    ['12a', null],
    ['', null],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeOrganizationUrn(raw)).toBe(expected);
  });

  it('round-trips: id -> urn -> same urn', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), (n) => {
        const urn = normalizeOrganizationUrn(String(n));
        expect(urn).toBe(`urn:li:organization:${n}`);
        expect(normalizeOrganizationUrn(urn!)).toBe(urn);
        expect(normalizeOrganizationUrn(Number(n % 1_000_000n) + 1)).toBe(
          `urn:li:organization:${Number(n % 1_000_000n) + 1}`,
        );
      }),
    );
  });
});

describe('normalizeCompanyPageUrl', () => {
  it.each([
    ['https://www.linkedin.com/company/Microsoft/', 'linkedin.com/company/microsoft'],
    ['http://linkedin.com/company/microsoft/about/?trk=x#top', 'linkedin.com/company/microsoft'],
    ['www.linkedin.com/company/1035', 'linkedin.com/company/1035'],
    ['de.linkedin.com/school/mit', 'linkedin.com/school/mit'],
    ['https://www.linkedin.com/showcase/azure', 'linkedin.com/showcase/azure'],
    ['https://www.linkedin.com/in/john-doe', null],
    ['https://linkedin.com/company/', null],
    ['https://evil.com/company/microsoft', null],
    ['https://linkedin.com.evil.com/company/microsoft', null],
    ['linkedin.com/company/jane@example.com', null],
    [`linkedin.com/company/${'a'.repeat(79)}`, `linkedin.com/company/${'a'.repeat(79)}`],
    [`linkedin.com/company/${'a'.repeat(80)}`, null],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeCompanyPageUrl(raw)).toBe(expected);
  });

  it('is idempotent and never longer than 100', () => {
    const slug = fc.stringMatching(/^[A-Za-z0-9-]{1,120}$/);
    const url = fc
      .tuple(
        fc.constantFrom('', 'https://', 'http://www.', 'www.', 'HTTPS://UK.'),
        fc.constantFrom('company', 'school', 'Showcase'),
        slug,
        fc.webQueryParameters(),
      )
      .map(([pre, kind, s, q]) => `${pre}linkedin.com/${kind}/${s}/?${q}`);
    fc.assert(
      fc.property(fc.oneof(url, fc.webUrl()), (u) => {
        const v = normalizeCompanyPageUrl(u);
        if (v === null) return;
        expect(v.length).toBeLessThanOrEqual(100);
        expect(v).toMatch(/^linkedin\.com\/(company|school|showcase)\/[^/?#]+$/);
        expect(normalizeCompanyPageUrl(v)).toBe(v);
      }),
    );
  });
});

describe('buildCompanyMember', () => {
  it('builds the full element in API field order', () => {
    const r = buildCompanyMember(
      {
        stockSymbol: 'msft',
        postalCode: '98101',
        country: 'United States',
        state: 'WA',
        city: 'Seattle',
        industries: 'Software; Cloud ;software',
        companyPageUrl: 'https://www.linkedin.com/company/microsoft',
        organizationUrn: '1035',
        companyEmailDomain: 'ceo@microsoft.com',
        companyWebsiteDomain: 'https://www.microsoft.com/en-us',
        companyName: ' Microsoft Corporation ',
      },
      opts,
    );
    if ('rejected' in r) throw new Error(r.reason);
    expect(r.member.key).toBe('org:urn:li:organization:1035');
    expect(JSON.stringify(r.member.payload)).toBe(
      JSON.stringify({
        companyName: 'Microsoft Corporation',
        companyWebsiteDomain: 'microsoft.com',
        companyEmailDomain: 'microsoft.com',
        organizationUrn: 'urn:li:organization:1035',
        companyPageUrl: 'linkedin.com/company/microsoft',
        industries: ['Software', 'Cloud'],
        city: 'Seattle',
        state: 'WA',
        country: 'US',
        postalCode: '98101',
        stockSymbol: 'MSFT',
      }),
    );
    expect(r.notes).toEqual([]);
  });

  it.each([
    [
      { organizationUrn: 'urn:li:organization:7', companyWebsiteDomain: 'a.com' },
      'org:urn:li:organization:7',
    ],
    [{ companyWebsiteDomain: 'WWW.A.com', companyEmailDomain: 'b.com' }, 'domain:a.com'],
    [{ companyEmailDomain: 'x@B.com', companyPageUrl: 'linkedin.com/company/b' }, 'edomain:b.com'],
    [{ companyPageUrl: 'linkedin.com/company/B', companyName: 'B' }, 'page:linkedin.com/company/b'],
    [{ companyName: ' ACME Inc ' }, 'name:acme inc'],
  ])('identity key of %j is %s', (input, key) => {
    const r = buildCompanyMember(input, opts);
    if ('rejected' in r) throw new Error(r.reason);
    expect(r.member.key).toBe(key);
  });

  it('rejects a row without a valid identifier, naming (not showing) the invalid fields', () => {
    expect(buildCompanyMember({ city: 'Paris' }, opts)).toEqual({
      rejected: true,
      field: 'identity',
      reason: NO_COMPANY_IDENTIFIER,
    });
    const r = buildCompanyMember({ companyWebsiteDomain: 'nope', companyName: 'jane@acme.com' }, opts);
    expect(r).toEqual({
      rejected: true,
      field: 'identity',
      reason: `${NO_COMPANY_IDENTIFIER}; invalid: companyName, companyWebsiteDomain`,
    });
  });

  it('applies limits: industries 3 x 50, city/state 50, postal code 20, ticker 5', () => {
    const r = buildCompanyMember(
      {
        companyName: 'A',
        industries: ['One', 'Two', 'x'.repeat(60), 'Four'],
        city: 'c'.repeat(51),
        state: 'jane@acme.com',
        postalCode: '1'.repeat(21),
        stockSymbol: 'TOOLONG',
        companyPageUrl: `linkedin.com/company/${'a'.repeat(90)}`,
      },
      opts,
    );
    if ('rejected' in r) throw new Error(r.reason);
    expect(r.member.payload).toEqual({
      companyName: 'A',
      industries: ['One', 'Two', 'x'.repeat(50)],
      city: 'c'.repeat(50),
    });
    expect(r.notes).toEqual([
      'companyPageUrl: longer than 100 characters, dropped',
      'industries: truncated to 50 characters',
      'industries: more than 3, extra dropped',
      'city: truncated to 50 characters',
      'state: contains an email address, dropped',
      'postalCode: longer than 20 characters, dropped',
      'stockSymbol: longer than 5 characters, dropped',
    ]);
  });
});
