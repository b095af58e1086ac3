/**
 * Events mode under SIGKILL: a change feed applied by runs killed at different moments converges
 * to exactly the previous audience with the events applied, and the saved source position never
 * moves past events that were not yet sent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emailOf, sha256 } from '../e2e/helpers.js';
import { type Fixture, fixture, people, usersRequests } from './fixture.js';

let f: Fixture;
afterEach(async () => f?.close());

const hashes = (ids: number[]) => ids.map((id) => sha256(emailOf(id))).sort();
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('events mode crash safety', () => {
  it('runs killed mid-send converge to the audience with every event applied once', async () => {
    f = await fixture({ pipeline: { destination: { batchSize: 10, concurrency: 1 } } });
    f.write(people(1, 200));
    expect((await f.sync()).r.code).toBe(0);

    mkdirSync(join(f.dir, 'events'));
    const lines = ['email,first_name,last_name,job_title,segments,action'];
    for (const id of range(1, 40)) lines.push(`${emailOf(id)},F,L,Engineer,customer,REMOVE`);
    for (const id of range(300, 359)) lines.push(`${emailOf(id)},F${id},L${id},Engineer,customer,ADD`);
    writeFileSync(join(f.dir, 'events', '001.csv'), `${lines.join('\n')}\n`);
    const events = f.variant('events.yaml', {
      name: 'crash-events',
      mode: 'events',
      source: { type: 'csv', config: { path: './events/*.csv' } },
    });
    const expected = hashes([...range(41, 200), ...range(300, 359)]);

    // Kill after 1, 3 and 5 member-write requests: REMOVEs, the barrier, ADDs.
    f.emu.setFaults({ latencyMs: 60, paths: ['/users'] });
    for (const after of [1, 3, 5]) {
      const start = usersRequests(f.emu);
      const run = f.spawn([], events);
      await f.waitFor(() => usersRequests(f.emu) >= start + after, `${after} member writes`);
      run.child.kill('SIGKILL');
      await run.done;
      // Nothing was saved as "done" for the source: the next run reads the same events again.
      expect(f.query<{ n: number }>('SELECT COUNT(*) AS n FROM source_state')[0]!.n).toBe(0);
    }
    f.emu.setFaults({});
    const { r, report } = await f.sync([], events);
    expect(r.code, r.stderr).toBe(0);
    expect(report!.rows.read).toBe(100);
    expect(f.members()).toEqual(expected);

    // The position is saved now: a further run reads nothing and sends nothing.
    const again = await f.sync([], events);
    expect(again.report!.rows.read).toBe(0);
    expect(again.report!.totals.sent).toBe(0);
    expect(f.members()).toEqual(expected);
  });
});
