import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { batch, call, createSegment } from './helpers.js';

const MICROSOFT = {
  companyName: 'Microsoft Corporation',
  companyWebsiteDomain: 'microsoft.com',
  companyEmailDomain: 'microsoft.com',
  organizationUrn: 'urn:li:organization:1035',
  companyPageUrl: 'www.linkedin.com/company/microsoft',
  industries: ['Software'],
  city: 'Seattle',
  state: 'WA',
  country: 'US',
  postalCode: '98101',
  stockSymbol: 'MSFT',
};

describe('emulator /dmpSegments/{id}/companies', () => {
  let emu: Emulator;
  let seg: string;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0 });
  });
  afterAll(() => emu.close());

  const single = (body: unknown) => call(emu, 'POST', `/dmpSegments/${seg}/companies`, { body });

  it('adds single and batched companies (the documented example bodies)', async () => {
    seg = await createSegment(emu, { type: 'COMPANY' });
    expect((await single({ action: 'ADD', ...MICROSOFT })).status).toBe(201);
    const res = await batch(emu, seg, 'companies', [
      { action: 'ADD', companyName: 'LinkedIn' },
      { action: 'ADD', companyWebsiteDomain: 'salesforce.com' },
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ elements: [{ status: 201 }, { status: 201 }] });
    expect(emu.members(seg)).toHaveLength(3);
    expect(emu.members(seg)).toContainEqual(MICROSOFT);
  });

  const rejected: [string, Record<string, unknown>][] = [
    ['no identifier', { action: 'ADD', city: 'Seattle' }],
    ['only the unknown companyDomain field', { action: 'ADD', companyDomain: 'microsoft.com' }],
    ['missing action', { companyName: 'X' }],
    ['bad organizationUrn', { action: 'ADD', organizationUrn: 'urn:li:company:1' }],
    ['companyPageUrl over 100', { action: 'ADD', companyPageUrl: `linkedin.com/company/${'x'.repeat(80)}` }],
    ['stockSymbol over 5', { action: 'ADD', companyName: 'X', stockSymbol: 'ABCDEF' }],
    ['4 industries', { action: 'ADD', companyName: 'X', industries: ['a', 'b', 'c', 'd'] }],
    ['industry over 50', { action: 'ADD', companyName: 'X', industries: ['i'.repeat(51)] }],
    ['industries as a string', { action: 'ADD', companyName: 'X', industries: 'Software' }],
    ['city over 50', { action: 'ADD', companyName: 'X', city: 'c'.repeat(51) }],
    ['state over 50', { action: 'ADD', companyName: 'X', state: 's'.repeat(51) }],
    ['postalCode over 20', { action: 'ADD', companyName: 'X', postalCode: '1'.repeat(21) }],
    ['country UK', { action: 'ADD', companyName: 'X', country: 'UK' }],
    ['raw email', { action: 'ADD', companyName: 'X', companyEmailDomain: 'ceo@x.com' }],
  ];
  for (const [name, element] of rejected) {
    it(`rejects: ${name}`, async () => {
      seg = await createSegment(emu, { type: 'COMPANY' });
      const res = await single(element);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ serviceErrorCode: 10007, status: 400 });
      const b = await batch(emu, seg, 'companies', [element, { action: 'ADD', companyName: 'Ok' }]);
      expect((b.json as { elements: { status: number }[] }).elements.map((e) => e.status)).toEqual([
        400, 201,
      ]);
    });
  }

  it('accepts each identifier on its own', async () => {
    seg = await createSegment(emu, { type: 'COMPANY' });
    const ids = [
      'companyName',
      'companyWebsiteDomain',
      'companyEmailDomain',
      'organizationUrn',
      'companyPageUrl',
    ] as const;
    for (const field of ids) {
      const res = await single({ action: 'ADD', [field]: MICROSOFT[field] });
      expect(res.status).toBe(201);
    }
    expect(emu.members(seg)).toHaveLength(5);
  });

  it('REMOVE with the same metadata removes; with different metadata it answers 201 but keeps the member', async () => {
    emu.resetStats();
    seg = await createSegment(emu, { type: 'COMPANY' });
    await single({ action: 'ADD', ...MICROSOFT });
    const partial = await single({ action: 'REMOVE', companyWebsiteDomain: 'microsoft.com' });
    expect(partial.status).toBe(201);
    const changedCity = await batch(emu, seg, 'companies', [
      { action: 'REMOVE', ...MICROSOFT, city: 'Redmond' },
    ]);
    expect(changedCity.json).toEqual({ elements: [{ status: 201 }] });
    expect(emu.members(seg)).toEqual([MICROSOFT]);
    expect(emu.stats().elements.companyRemoveMismatches).toBe(2);

    const absent = await single({ action: 'REMOVE', companyName: 'Nobody Inc' });
    expect(absent.status).toBe(201);
    expect(emu.stats().elements.companyRemoveMismatches).toBe(2);

    const exact = await single({ action: 'REMOVE', ...MICROSOFT });
    expect(exact.status).toBe(201);
    expect(emu.members(seg)).toEqual([]);
    expect(emu.stats().elements).toMatchObject({ added: 1, removed: 2, companyRemoveMismatches: 2 });
  });

  it('re-ADD with new metadata replaces the stored company', async () => {
    seg = await createSegment(emu, { type: 'COMPANY' });
    await single({ action: 'ADD', companyName: 'Acme', city: 'Paris' });
    await single({ action: 'ADD', companyName: 'Acme', city: 'Lyon' });
    expect(emu.members(seg)).toEqual([{ companyName: 'Acme', city: 'Lyon' }]);
  });

  it('only COMPANY segments take companies', async () => {
    const users = await createSegment(emu, { type: 'USER' });
    const res = await call(emu, 'POST', `/dmpSegments/${users}/companies`, {
      body: { action: 'ADD', companyName: 'X' },
    });
    expect(res.status).toBe(400);
  });
});
