/** A segment whose remote membership is gone (EXPIRED, or deleted) is reset and refilled in full. */
import { afterEach, describe, expect, it } from 'vitest';
import { LINKEDIN_VERSION } from '../../connectors/linkedin-dmp/versioning.js';
import { type Fixture, fixture, people } from './fixture.js';

let f: Fixture;
afterEach(async () => f?.close());

describe('lost remote membership', () => {
  it('an EXPIRED segment gets its checkpoint reset and its whole membership sent again', async () => {
    f = await fixture();
    f.write(people(1, 80));
    expect((await f.sync()).r.code).toBe(0);
    f.emu.setSegmentStatus(f.segmentId(), 'EXPIRED');
    expect(f.members()).toEqual([]);

    const { r, report } = await f.sync();
    expect(r.code, r.stderr).toBe(0);
    const seg = report!.segments[0]!;
    expect(seg.membershipReset).toBe(true);
    expect(seg.warnings.join('\n')).toMatch(
      /remote membership lost \(destination status EXPIRED.*checkpoint reset/,
    );
    expect(seg.acknowledged.add).toBe(80);
    expect(r.stderr).toContain('remote membership lost');
    expect(f.members()).toEqual(f.expected());
  });

  it('a deleted segment is re-created and refilled', async () => {
    f = await fixture();
    f.write(people(1, 80));
    expect((await f.sync()).r.code).toBe(0);
    const old = f.segmentId();
    const res = await fetch(`${f.emu.restUrl}/dmpSegments/${old}`, {
      method: 'DELETE',
      headers: {
        Authorization: 'Bearer e2e-token',
        'LinkedIn-Version': LINKEDIN_VERSION,
        'X-Restli-Protocol-Version': '2.0.0',
      },
    });
    expect(res.status).toBe(204);
    f.write(people(1, 90));

    const { r, report } = await f.sync();
    expect(r.code, r.stderr).toBe(0);
    const seg = report!.segments[0]!;
    expect(f.segmentId()).not.toBe(old);
    expect(seg.created).toBe(true);
    expect(seg.membershipReset).toBe(true);
    expect(seg.warnings.join('\n')).toContain('checkpoint reset, all members are sent again');
    expect(seg.acknowledged.add).toBe(90);
    expect(f.members()).toEqual(f.expected());
  });
});
