/** The mass-removal guard with its defaults (20% of a segment, 300 members), through the CLI. */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../e2e/helpers.js';
import { type Fixture, fixture, people } from './fixture.js';

let f: Fixture;
afterEach(async () => f?.close());

describe('guardrails', () => {
  it('refuses a plan removing over 20% or leaving under 300 members unless allowed', async () => {
    f = await fixture({ pipeline: { extra: { guardrails: {} } } });
    f.write(people(1, 400));
    expect((await f.sync()).r.code).toBe(0);

    f.write(people(1, 300)); // 100 of 400 = 25%
    const plan = await runCli(['plan', '--config', f.pipeline, '--json']);
    expect(plan.code).toBe(4);
    expect(JSON.parse(plan.stdout.trim().split('\n').pop()!).segments[0].refused).toContain(
      '25.0% > 20% allowed',
    );
    const refused = await f.sync();
    expect(refused.r.code).toBe(4);
    expect(refused.report!.status).toBe('refused');
    expect(refused.report!.segments[0]!.refused).toMatch(
      /would remove 100 of 400 members .*--allow-mass-removal/,
    );
    expect(f.members()).toHaveLength(400); // nothing was sent

    expect((await f.sync(['--allow-mass-removal'])).r.code).toBe(0);
    expect(f.members()).toEqual(f.expected());

    f.write(people(1, 290)); // 3% only, but 290 < 300
    const small = await f.sync();
    expect(small.r.code).toBe(4);
    expect(small.report!.segments[0]!.refused).toContain('would leave 290 members (< 300');
    expect(f.members()).toHaveLength(300);
  });
});
