import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../connectors/linkedin-dmp/destination.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { ConfigError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { SegmentSpec } from '../../core/plugin.js';
import { ACCOUNT, PLATFORM, testConfig, testConnect, users } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  // Streaming answers 404 for 300 ms after a create, as LinkedIn does for ~5 s.
  emu = await startEmulator({ segmentReadyDelayMs: 300 });
});
afterAll(async () => {
  await emu?.close();
});

const logger = silentLogger();
const session = (
  segments: { sourceSegmentId: string; name: string; type?: 'USER' | 'COMPANY' }[],
  extra = {},
) => openSession(testConfig(emu, { segments, ...extra }), { logger });
const ours = (key: string) =>
  emu.segments().filter((s) => s.sourceSegmentId === key && s.sourcePlatform === PLATFORM);
const spec = (key: string, type: SegmentSpec['type'] = 'USER'): SegmentSpec => ({
  key,
  name: `Seg ${key}`,
  type,
});

describe('find-or-create', () => {
  it('dry run (create: false) finds nothing and writes nothing', async () => {
    const s = session([{ sourceSegmentId: 'dry', name: 'Dry' }]);
    expect(await s.resolveSegment(spec('dry'), { create: false })).toBeNull();
    expect(ours('dry')).toHaveLength(0);
  });

  it('creates once, then finds the same segment on every later run', async () => {
    const first = await session([{ sourceSegmentId: 'idem', name: 'Idem' }]).resolveSegment(spec('idem'), {
      create: true,
    });
    expect(first).toMatchObject({ created: true, membershipLost: true, status: 'BUILDING' });
    const again = await session([{ sourceSegmentId: 'idem', name: 'Idem' }]).resolveSegment(spec('idem'), {
      create: true,
    });
    expect(again).toMatchObject({ remoteId: first!.remoteId, created: false, membershipLost: false });
    const dry = await session([{ sourceSegmentId: 'idem', name: 'Idem' }]).resolveSegment(spec('idem'), {
      create: false,
    });
    expect(dry?.remoteId).toBe(first!.remoteId);
    expect(ours('idem')).toHaveLength(1);
    expect(ours('idem')[0]).toMatchObject({ name: 'Seg idem', type: 'USER', account: ACCOUNT });
  });

  it('two concurrent resolves in one session create one segment', async () => {
    const s = session([{ sourceSegmentId: 'conc-1', name: 'C' }]);
    const [a, b] = await Promise.all([
      s.resolveSegment(spec('conc-1'), { create: true }),
      s.resolveSegment(spec('conc-1'), { create: true }),
    ]);
    expect(a?.remoteId).toBe(b?.remoteId);
    expect(ours('conc-1')).toHaveLength(1);
  });

  it('two concurrent runs (separate sessions) converge on one segment: the lowest id', async () => {
    const cfg = [{ sourceSegmentId: 'conc-2', name: 'C2' }];
    const before = emu.stats().requests;
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        session(cfg, { createWaitMs: 50 }).resolveSegment(spec('conc-2'), { create: true }),
      ),
    );
    const ids = new Set(results.map((r) => r?.remoteId));
    expect(ids.size).toBe(1);
    expect(ours('conc-2').map((s) => s.id)).toEqual([...ids]);
    // The race really happened (several runs created one) and every loser deleted its own.
    const after = emu.stats().requests;
    const delta = (label: string) => (after[label] ?? 0) - (before[label] ?? 0);
    expect(delta('POST /dmpSegments')).toBeGreaterThanOrEqual(2);
    expect(delta('DELETE /dmpSegments/{id}')).toBe(delta('POST /dmpSegments') - 1);
  });

  it('re-creates a deleted segment and reports its membership lost', async () => {
    const s = session([{ sourceSegmentId: 'gone', name: 'Gone' }]);
    const first = await s.resolveSegment(spec('gone'), { create: true });
    await s.client.deleteSegment(first!.remoteId);
    const again = await s.resolveSegment(spec('gone'), { create: true });
    expect(again?.remoteId).not.toBe(first?.remoteId);
    expect(again).toMatchObject({ created: true, membershipLost: true });
  });

  it('reports an EXPIRED destination as membership lost', async () => {
    const s = session([{ sourceSegmentId: 'exp', name: 'Exp' }]);
    const first = await s.resolveSegment(spec('exp'), { create: true });
    emu.setSegmentStatus(first!.remoteId, 'EXPIRED');
    const again = await s.resolveSegment(spec('exp'), { create: true });
    expect(again).toMatchObject({
      remoteId: first!.remoteId,
      created: false,
      status: 'EXPIRED',
      membershipLost: true,
    });
  });

  it('adds a missing LINKEDIN destination', async () => {
    const { client, http } = testConnect(testConfig(emu));
    await http.request({
      method: 'POST',
      path: '/dmpSegments',
      json: {
        name: 'nodest',
        account: ACCOUNT,
        type: 'USER',
        sourcePlatform: PLATFORM,
        sourceSegmentId: 'nodest',
        destinations: [],
      },
    });
    const r = await session([{ sourceSegmentId: 'nodest', name: 'N' }]).resolveSegment(spec('nodest'), {
      create: true,
    });
    expect(r?.status).toBe('BUILDING');
    expect((await client.listDestinations(r!.remoteId)).map((d) => d.destination)).toEqual(['LINKEDIN']);
  });

  it('refuses a segment that exists with another type', async () => {
    await session([{ sourceSegmentId: 'typed', name: 'T', type: 'COMPANY' }]).resolveSegment(
      spec('typed', 'COMPANY'),
      {
        create: true,
      },
    );
    const err = await session([{ sourceSegmentId: 'typed', name: 'T' }])
      .resolveSegment(spec('typed'), { create: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('segments[0].type');
  });

  it('retries the 404 LinkedIn answers just after a create, and the batch lands', async () => {
    const s = session([{ sourceSegmentId: 'fresh', name: 'Fresh' }], {
      createWaitMs: 0,
      notFoundBackoffMs: 50,
      retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 400 },
    });
    const seg = await s.resolveSegment(spec('fresh'), { create: true });
    const members = users(1, 10).map((payload, i) => ({ key: `k${i}`, payload }));
    const results = await s.sendBatch(seg!, 'ADD', members);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(emu.members(seg!.remoteId)).toHaveLength(10);
    expect(s.stats().retries).toBeGreaterThan(0);
  });
});
