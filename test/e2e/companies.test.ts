/**
 * End to end: COMPANY segments with the real `dmpsync` process against the emulator. What LinkedIn
 * would hold is read at the emulator; a REMOVE that LinkedIn would ignore (metadata not equal to the
 * ADD's) shows up there as `companyRemoveMismatches`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { NO_COMPANY_IDENTIFIER } from '../../transforms/company.js';
import { batch } from '../emulator/helpers.js';
import { emailOf, parseReport, runCli, tempDir } from './helpers.js';

type Company = Partial<
  Record<
    | 'name'
    | 'website'
    | 'email'
    | 'org'
    | 'page'
    | 'industries'
    | 'city'
    | 'state'
    | 'country'
    | 'postal'
    | 'ticker',
    string
  >
>;

const COLUMNS = [
  'name',
  'website',
  'email',
  'org',
  'page',
  'industries',
  'city',
  'state',
  'country',
  'postal',
  'ticker',
] as const;

function writeCompanies(file: string, rows: Company[]): void {
  const body = Papa.unparse(
    rows.map((r) => COLUMNS.map((c) => r[c] ?? '')),
    { newline: '\n' },
  );
  writeFileSync(file, `${COLUMNS.join(',')}\n${body}\n`);
}

const COMPANY_FIELDS = {
  companyName: 'name',
  companyWebsiteDomain: 'website',
  companyEmailDomain: 'email',
  organizationUrn: 'org',
  companyPageUrl: 'page',
  industries: 'industries',
  city: 'city',
  state: 'state',
  country: 'country',
  postalCode: 'postal',
  stockSymbol: 'ticker',
};

interface Setup {
  restUrl: string;
  transforms: Record<string, unknown>[];
  segments: Record<string, unknown>[];
  rateLimits?: Record<string, number>;
  batchSize?: number;
}

/** A pipeline file in `dir` syncing `companies.csv`; returns its path. */
function writeCompanyPipeline(dir: string, s: Setup): string {
  const pipeline = {
    name: 'e2e-companies',
    source: { type: 'csv', config: { path: './companies.csv' } },
    transforms: s.transforms,
    destination: {
      type: 'linkedin-dmp',
      config: {
        baseUrl: s.restUrl,
        auth: { accessToken: 'e2e-token' },
        adAccount: 'urn:li:sponsoredAccount:777',
        sourcePlatform: 'DMPSYNC',
        createWaitMs: 0,
        retry: { maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 200 },
        rateLimits: s.rateLimits ?? { usersPerMinute: 500, companiesPerMinute: 200, windowMs: 1000 },
        ...(s.batchSize ? { batchSize: s.batchSize } : {}),
        segments: s.segments,
      },
    },
    state: { type: 'sqlite', path: './state.db' },
    guardrails: { minSegmentSize: 0, maxRemoveShare: 1 },
  };
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, YAML.stringify(pipeline));
  return file;
}

const byJson = (members: Record<string, unknown>[]) => members.map((m) => JSON.stringify(m)).sort();

describe('COMPANY segments against the emulator', () => {
  let emu: Emulator;
  let dir: string;
  let pipeline: string;
  const segId = () => emu.segments().find((s) => s.sourceSegmentId === 'accounts')!.id;
  const sync = async (code = 0) => {
    const r = await runCli(['sync', '--config', pipeline, '--json']);
    const report = parseReport(r);
    expect(r.code, r.stderr).toBe(code);
    expect(report.rows.balanced).toBe(true);
    return { r, report };
  };

  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 100 });
    dir = tempDir('dmpsync-e2e-companies-');
    pipeline = writeCompanyPipeline(dir, {
      restUrl: emu.restUrl,
      // A company-only pipeline: one segment, so no `route` transform is needed.
      transforms: [{ type: 'linkedin-company', config: { fields: COMPANY_FIELDS } }],
      segments: [{ sourceSegmentId: 'accounts', name: 'Target accounts', type: 'COMPANY' }],
    });
  });
  afterAll(async () => emu.close());

  const acme: Company = {
    name: ' Acme Corp ',
    website: 'https://WWW.Acme.com/about?utm=x#top',
    email: 'jane.doe@Acme.COM',
    page: 'https://fr.linkedin.com/company/Acme-Corp/jobs/?trk=1',
    industries: 'Software; Cloud ;software; Retail; Mining',
    city: 'Paris',
    state: 'Île-de-France',
    country: 'France',
    postal: '75001',
    ticker: 'acme',
  };
  const globex: Company = {
    name: 'Globex',
    website: 'globex.com',
    org: '001035',
    country: 'UK',
    ticker: 'gbx',
  };
  const initech: Company = { name: 'Initech', website: 'http://initech.io:8080/', country: 'usa' };
  const umbrella: Company = { org: 'urn:li:company:42', city: 'Raccoon City' };
  const rows: Company[] = [
    acme,
    globex,
    initech,
    // The same company again, spelled differently: one member, counted as a duplicate.
    { name: 'Initech', website: 'INITECH.IO', country: 'US' },
    umbrella,
    { city: 'Nowhere', country: 'FR' },
    { website: 'localhost', org: 'not-a-number', email: 'jane@' },
  ];

  const ACME = {
    companyName: 'Acme Corp',
    companyWebsiteDomain: 'acme.com',
    companyEmailDomain: 'acme.com',
    companyPageUrl: 'linkedin.com/company/acme-corp',
    industries: ['Software', 'Cloud', 'Retail'],
    city: 'Paris',
    state: 'Île-de-France',
    country: 'FR',
    postalCode: '75001',
    stockSymbol: 'ACME',
  };
  const GLOBEX = {
    companyName: 'Globex',
    companyWebsiteDomain: 'globex.com',
    organizationUrn: 'urn:li:organization:1035',
    country: 'GB',
    stockSymbol: 'GBX',
  };
  const INITECH = { companyName: 'Initech', companyWebsiteDomain: 'initech.io', country: 'US' };
  const UMBRELLA = { organizationUrn: 'urn:li:organization:42', city: 'Raccoon City' };

  it('first sync: companies land normalized, duplicates once, rows without identifier rejected', async () => {
    writeCompanies(join(dir, 'companies.csv'), rows);
    const { r, report } = await sync(3); // completed_with_rejections
    expect(report.status).toBe('completed_with_rejections');
    expect(byJson(emu.members(segId()))).toEqual(byJson([ACME, GLOBEX, INITECH, UMBRELLA]));
    expect(report.rows).toMatchObject({ read: 7, emitted: 4, duplicate: 1, rejected: 2 });
    const seg = report.segments.find((s) => s.key === 'accounts')!;
    expect(seg).toMatchObject({ type: 'COMPANY', staged: 4, duplicates: 1 });
    expect(seg.acknowledged).toEqual({ add: 4, remove: 0 });
    expect(emu.stats().elements).toMatchObject({ added: 4, rejected: 0, companyRemoveMismatches: 0 });
    // Rejections name the fields, never the values.
    const samples = report.rejectedSamples.map((s) => ({ row: s.row, field: s.field, reason: s.reason }));
    expect(samples).toEqual([
      { row: 6, field: 'identity', reason: NO_COMPANY_IDENTIFIER },
      {
        row: 7,
        field: 'identity',
        reason: `${NO_COMPANY_IDENTIFIER}; invalid: companyWebsiteDomain, companyEmailDomain, organizationUrn`,
      },
    ]);
    // Email addresses are reduced to their domain: no address at LinkedIn, in the report, the logs,
    // the state database or the rejects file (only the input CSV holds one).
    const onDisk = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f !== 'companies.csv' && statSync(join(dir, f)).isFile())
      .map((f) => readFileSync(join(dir, f), 'latin1'));
    expect(onDisk.length).toBeGreaterThan(0);
    const everything = [JSON.stringify(emu.members(segId())), r.stdout, r.stderr, ...onDisk].join('\n');
    expect(everything).not.toMatch(/jane/i);
  });

  it('a second sync removes a dropped company and replaces a changed one with its stored payload', async () => {
    // Initech leaves; Globex (same organization URN) moves to a new domain; Acme moves city, which
    // keeps every identifier: only a REMOVE carrying the exact old metadata takes the old element out.
    writeCompanies(join(dir, 'companies.csv'), [
      { ...acme, city: 'Lyon', postal: '69001' },
      { ...globex, website: 'https://www.globex.io' },
      umbrella,
    ]);
    emu.resetStats();
    const { report } = await sync();
    const seg = report.segments.find((s) => s.key === 'accounts')!;
    expect(seg.planned).toMatchObject({ add: 0, remove: 1, change: 2, unchanged: 1 });
    expect(seg.acknowledged).toEqual({ add: 2, remove: 3 });
    expect(emu.stats().elements).toMatchObject({
      added: 2,
      removed: 3,
      rejected: 0,
      companyRemoveMismatches: 0,
    });
    expect(byJson(emu.members(segId()))).toEqual(
      byJson([
        { ...ACME, city: 'Lyon', postalCode: '69001' },
        { ...GLOBEX, companyWebsiteDomain: 'globex.io' },
        UMBRELLA,
      ]),
    );
  });

  it('a third sync with no change sends nothing', async () => {
    emu.resetStats();
    const { report } = await sync();
    expect(report.totals.sent).toBe(0);
    expect(emu.stats().elements).toMatchObject({ added: 0, removed: 0, companyRemoveMismatches: 0 });
  });

  it('the emulator ignores a REMOVE whose metadata differs from the ADD, and counts it', async () => {
    emu.resetStats();
    // What a connector that rebuilt the REMOVE from a newer source row would send.
    const rebuilt = { action: 'REMOVE', ...UMBRELLA, city: 'Elsewhere' };
    const res = await batch(emu, segId(), 'companies', [rebuilt]);
    expect(res.status).toBe(200);
    expect(emu.stats().elements).toMatchObject({ removed: 0, companyRemoveMismatches: 1 });
    expect(byJson(emu.members(segId()))).toContain(JSON.stringify(UMBRELLA));
  });
});

describe('USER and COMPANY segments in one pipeline', () => {
  let emu: Emulator;
  afterAll(async () => emu?.close());

  it('keeps separate /users and /companies rate budgets', async () => {
    // Two requests per window per family at both ends, and a window far longer than the test: a
    // shared budget would leave the third request waiting (client) or throttled (emulator).
    emu = await startEmulator({
      segmentReadyDelayMs: 0,
      buildingToReadyMs: 100,
      rateLimit: { usersPerWindow: 2, companiesPerWindow: 2, windowMs: 600_000 },
    });
    const dir = tempDir('dmpsync-e2e-mixed-');
    const lines = ['email,company,website,segments'];
    for (let i = 1; i <= 20; i++) {
      lines.push(`${emailOf(i)},Company ${i},company${i}.example,person;account`);
    }
    writeFileSync(join(dir, 'companies.csv'), `${lines.join('\n')}\n`);
    const pipeline = writeCompanyPipeline(dir, {
      restUrl: emu.restUrl,
      transforms: [
        { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
        { type: 'linkedin-user', config: { fields: { email: 'email' } } },
        {
          type: 'linkedin-company',
          config: { fields: { companyName: 'company', companyWebsiteDomain: 'website' } },
        },
      ],
      segments: [
        { sourceSegmentId: 'people', name: 'People', route: 'person' },
        { sourceSegmentId: 'accounts', name: 'Accounts', route: 'account', type: 'COMPANY' },
      ],
      rateLimits: { usersPerMinute: 2, companiesPerMinute: 2, windowMs: 600_000 },
      batchSize: 10,
    });
    const r = await runCli(['sync', '--config', pipeline, '--json']);
    const report = parseReport(r);
    expect(r.code, r.stderr).toBe(0);
    expect(report.totals.throttled).toBe(0);
    expect(emu.stats().throttled).toBe(0);
    const seg = (key: string) => report.segments.find((s) => s.key === key)!;
    expect(seg('people')).toMatchObject({ type: 'USER', requests: 2, acknowledged: { add: 20, remove: 0 } });
    expect(seg('accounts')).toMatchObject({
      type: 'COMPANY',
      requests: 2,
      acknowledged: { add: 20, remove: 0 },
    });
    const requests = emu.stats().requests;
    expect(requests['POST /dmpSegments/{id}/users']).toBe(2);
    expect(requests['POST /dmpSegments/{id}/companies']).toBe(2);
  }, 20_000);
});
