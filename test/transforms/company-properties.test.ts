/**
 * Property-based tests of the company normalizers: every spelling of one domain, organization or
 * page gives one output (so one identity key and one payload), and no email address survives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCompanyMember,
  type CompanyOptions,
  emailDomain,
  normalizeCompanyPageUrl,
  normalizeDomain,
  normalizeOrganizationUrn,
} from '../../transforms/company.js';

const opts: CompanyOptions = { overlong: 'truncate', industrySeparator: ';' };

/** Lower-case ASCII domains whose first label is not `www` (that one is stripped by design). */
const domain = fc.domain().filter((d) => !d.startsWith('www.'));

const randomCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

describe('normalizeDomain properties', () => {
  it('every spelling of a website gives the bare lower-case domain', () => {
    const spelled = domain.chain((d) =>
      fc
        .tuple(
          fc.constant(d),
          fc.constantFrom('', 'http://', 'https://', 'HTTPS://', '//', 'https://user:pw@'),
          fc.constantFrom('', 'www.', 'WWW.'),
          randomCase(d),
          fc.constantFrom('', ':443', ':8080'),
          fc.oneof(fc.constant(''), fc.webPath()),
          fc.constantFrom('', '?utm_source=x', '#top', '?a=1&b=2#frag'),
          fc.constantFrom('', ' ', '\t'),
        )
        .map(([bare, scheme, www, host, port, path, tail, pad]) => ({
          bare,
          raw: `${pad}${scheme}${www}${host}${port}${path}${tail}${pad}`,
        })),
    );
    fc.assert(
      fc.property(spelled, ({ bare, raw }) => {
        expect(normalizeDomain(raw)).toBe(normalizeDomain(bare));
      }),
    );
  });

  it('a valid plain domain is returned unchanged', () => {
    // fc.domain() can produce labels ending in '-' or a numeric TLD; the normalizer refuses those.
    const valid = domain.filter((d) =>
      /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/.test(d),
    );
    fc.assert(
      fc.property(valid, (d) => {
        expect(normalizeDomain(d)).toBe(d);
      }),
    );
  });

  it('never returns an IP address, a single label or a value with a path, port or user', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV4(),
          fc.webUrl({
            authoritySettings: { withIPv4: true, withIPv6: true, withPort: true, withUserInfo: true },
          }),
          fc.string(),
        ),
        (s) => {
          const d = normalizeDomain(s);
          if (d === null) return;
          expect(d).toContain('.');
          expect(d).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
          expect(d).not.toMatch(/[:/@?#\s[\]]/);
          expect(d.length).toBeLessThanOrEqual(253);
        },
      ),
    );
  });
});

describe('emailDomain properties', () => {
  it('keeps the domain of any address and never its local part', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const at = email.lastIndexOf('@');
        const d = emailDomain(email);
        expect(d).toBe(normalizeDomain(email.slice(at + 1)));
        if (d !== null) expect(d).not.toContain('@');
      }),
    );
  });

  it('sends no address: a company keyed by an email domain carries only the domain', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const r = buildCompanyMember({ companyEmailDomain: email }, opts);
        const json = JSON.stringify(r);
        expect(json).not.toContain('@');
        if (!('rejected' in r)) expect(r.member.key).toBe(`edomain:${emailDomain(email)}`);
      }),
    );
  });
});

describe('normalizeOrganizationUrn properties', () => {
  const id = fc.bigInt({ min: 1n, max: 10n ** 19n - 1n });

  it('id, zero-padded id, organization and legacy company URNs in any case agree', () => {
    const spelled = id.chain((n) =>
      fc
        .tuple(
          fc.constantFrom(
            '',
            'urn:li:organization:',
            'urn:li:company:',
            'URN:LI:ORGANIZATION:',
            'Urn:Li:Company:',
          ),
          fc.nat({ max: 3 }),
          fc.constantFrom('', ' '),
        )
        .map(([prefix, zeros, pad]) => ({ n, raw: `${pad}${prefix}${'0'.repeat(zeros)}${n}${pad}` })),
    );
    fc.assert(
      fc.property(spelled, ({ n, raw }) => {
        expect(normalizeOrganizationUrn(raw)).toBe(`urn:li:organization:${n}`);
      }),
    );
  });

  it('any output is a canonical organization URN, and a fixed point', () => {
    const noisy = fc.oneof(
      fc.string(),
      fc.stringMatching(/^urn:li:[a-z]{1,12}:-?\d{0,22}$/),
      fc.integer().map(String),
    );
    fc.assert(
      fc.property(noisy, (s) => {
        const urn = normalizeOrganizationUrn(s);
        if (urn === null) return;
        expect(urn).toMatch(/^urn:li:organization:[1-9]\d{0,18}$/);
        expect(normalizeOrganizationUrn(urn)).toBe(urn);
      }),
    );
  });
});

describe('normalizeCompanyPageUrl properties', () => {
  const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/);
  const kind = fc.constantFrom('company', 'school', 'showcase');

  it('every spelling of a page gives linkedin.com/<kind>/<slug>', () => {
    const spelled = fc.tuple(kind, slug).chain(([k, s]) =>
      fc
        .tuple(
          fc.constantFrom('', 'http://', 'https://', 'HTTPS://'),
          fc.constantFrom('', 'www.', 'WWW.', 'de.', 'uk.'),
          randomCase(k),
          randomCase(s),
          fc.constantFrom('', '/', '/about', '/about/', '/jobs/'),
          fc.constantFrom('', '?trk=abc', '#top', '?a=1#b'),
        )
        .map(([scheme, sub, kk, ss, page, tail]) => ({
          canonical: `linkedin.com/${k}/${s}`,
          raw: `${scheme}${sub}linkedin.com/${kk}/${ss}${page}${tail}`,
        })),
    );
    fc.assert(
      fc.property(spelled, ({ canonical, raw }) => {
        expect(normalizeCompanyPageUrl(raw)).toBe(canonical);
      }),
    );
  });

  it('refuses other hosts and other LinkedIn paths', () => {
    const other = fc.tuple(
      fc.oneof(
        domain.filter((d) => !/(^|\.)linkedin\.com$/.test(d)),
        fc.constant('linkedin.com.evil.com'),
      ),
      kind,
      slug,
    );
    fc.assert(
      fc.property(other, ([host, k, s]) => {
        expect(normalizeCompanyPageUrl(`https://${host}/${k}/${s}`)).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('in', 'feed', 'jobs', 'pub'), slug, (p, s) => {
        expect(normalizeCompanyPageUrl(`https://www.linkedin.com/${p}/${s}`)).toBeNull();
      }),
    );
  });

  it('a URL is kept exactly when its canonical form fits in 100 characters', () => {
    fc.assert(
      fc.property(kind, fc.stringMatching(/^[a-z0-9-]{1,100}$/), (k, s) => {
        const canonical = `linkedin.com/${k}/${s}`;
        const out = normalizeCompanyPageUrl(`https://www.${canonical}/`);
        expect(out).toBe(canonical.length <= 100 ? canonical : null);
      }),
    );
  });
});

describe('buildCompanyMember properties', () => {
  it('one company spelled two ways has one key and one payload', () => {
    fc.assert(
      fc.property(domain, fc.bigInt({ min: 1n, max: 10n ** 12n }), (d, n) => {
        const a = buildCompanyMember({ companyWebsiteDomain: d, organizationUrn: String(n) }, opts);
        const b = buildCompanyMember(
          {
            companyWebsiteDomain: `https://WWW.${d.toUpperCase()}/`,
            organizationUrn: `urn:li:company:0${n}`,
          },
          opts,
        );
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
    );
  });
});
