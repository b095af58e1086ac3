import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../connectors/linkedin-dmp/destination.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ConfigError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Member, SegmentSpec } from '../../core/plugin.js';
import { badUser, testConfig, testConnect, user } from './helpers.js';

let partial: Emulator;
let strict: Emulator;

beforeAll(async () => {
  partial = await startEmulator({ segmentReadyDelayMs: 0, batchValidation: 'partial' });
  strict = await startEmulator({ segmentReadyDelayMs: 0, batchValidation: 'all_or_nothing' });
});
afterAll(async () => {
  await Promise.all([partial?.close(), strict?.close()]);
});

const spec = (key: string, type: SegmentSpec['type'] = 'USER'): SegmentSpec => ({ key, name: key, type });
const members = (n: number, bad: number[] = []): Member[] =>
  Array.from({ length: n }, (_, i) => ({ key: `m${i}`, payload: bad.includes(i) ? badUser(i) : user(i) }));
const usersRequests = (emu: Emulator) => emu.stats().requests['POST /dmpSegments/{id}/users'] ?? 0;

async function openOn(emu: Emulator, key: string, extra = {}) {
  const s = openSession(testConfig(emu, { segments: [{ sourceSegmentId: key, name: key }], ...extra }), {
    logger: silentLogger(),
  });
  const seg = await s.resolveSegment(spec(key), { create: true });
  return { s, seg: seg! };
}

describe.each([
  ['partial (200 with per-element statuses)', () => partial, 1],
  ['all_or_nothing (400 naming batchIndex)', () => strict, 2],
])('per-element rejection, %s', (_label, emu, expectedRequests) => {
  it('rejects only the bad elements, with reasons, and the rest lands', async () => {
    const { s, seg } = await openOn(emu(), `rej-${expectedRequests}`);
    const before = usersRequests(emu());
    const results = await s.sendBatch(seg, 'ADD', members(10, [2, 7]));
    expect(results).toHaveLength(10);
    results.forEach((r, i) => {
      if (i === 2 || i === 7) {
        expect(r.ok).toBe(false);
        expect(r.ok ? '' : r.reason).toMatch(/GOOGLE|idType|enum/);
      } else expect(r).toEqual({ ok: true });
    });
    expect(emu().members(seg.remoteId)).toHaveLength(8);
    expect(usersRequests(emu()) - before).toBe(expectedRequests);
  });

  it('a batch of only bad elements rejects them all', async () => {
    const { s, seg } = await openOn(emu(), `allbad-${expectedRequests}`);
    const results = await s.sendBatch(seg, 'ADD', members(3, [0, 1, 2]));
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    expect(emu().members(seg.remoteId)).toHaveLength(0);
  });
});

describe('sendBatch', () => {
  it('adds then removes, one result per member, splitting above maxBatchSize', async () => {
    const { s, seg } = await openOn(partial, 'split', { batchSize: 3 });
    expect(s.maxBatchSize).toBe(3);
    const before = usersRequests(partial);
    const add = await s.sendBatch(seg, 'ADD', members(7));
    expect(add.every((r) => r.ok)).toBe(true);
    expect(usersRequests(partial) - before).toBe(3);
    expect(partial.members(seg.remoteId)).toHaveLength(7);
    const remove = await s.sendBatch(seg, 'REMOVE', members(7).slice(0, 4));
    expect(remove).toHaveLength(4);
    expect(partial.members(seg.remoteId)).toEqual(
      members(7)
        .slice(4)
        .map((m) => m.payload),
    );
  });

  it('sends companies to /companies with the action in front of the payload', async () => {
    const key = 'abm';
    const s = openSession(
      testConfig(partial, { segments: [{ sourceSegmentId: key, name: key, type: 'COMPANY' }] }),
      {
        logger: silentLogger(),
      },
    );
    const seg = (await s.resolveSegment(spec(key, 'COMPANY'), { create: true }))!;
    const payload = { companyName: 'Microsoft', companyWebsiteDomain: 'microsoft.com', action: 'REMOVE' };
    const r = await s.sendBatch(seg, 'ADD', [{ key: 'c1', payload }]);
    expect(r).toEqual([{ ok: true }]);
    expect(partial.members(seg.remoteId)).toEqual([
      { companyName: 'Microsoft', companyWebsiteDomain: 'microsoft.com' },
    ]);
  });

  it('a 400 that names no element fails the batch with a ConfigError', async () => {
    const { s, seg } = await openOn(partial, 'wrongtype');
    const asCompany = { ...seg, spec: { ...seg.spec, type: 'COMPANY' as const } };
    await expect(
      s.sendBatch(asCompany, 'ADD', [{ key: 'x', payload: { companyName: 'X' } }]),
    ).rejects.toThrow(ConfigError);
  });
});

describe('elements LinkedIn defers inside a 200', () => {
  it('resends only the elements answered 429/5xx', async () => {
    // A minimal real server: the emulator never defers single elements.
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const { elements } = JSON.parse(raw) as { elements: unknown[] };
        bodies.push(elements);
        const statuses = elements.map((_, i) =>
          bodies.length === 1 && i === 1 ? { status: 503 } : { status: 201 },
        );
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ elements: statuses }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const { client } = testConnect(testConfig(partial, { baseUrl: `http://127.0.0.1:${port}/rest` }));
      const els = [0, 1, 2].map((i) => ({ action: 'ADD' as const, ...user(i) }));
      expect(await client.streamBatch('users', '1', els)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(bodies).toEqual([els, [els[1]]]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
