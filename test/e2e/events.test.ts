/**
 * Events mode end to end: rows carry ADD/REMOVE (an action column or a deletion marker), the last
 * event of an identity wins, members without events stay, the source resumes where the last run
 * ended, and a mirror run afterwards sends only the true difference.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import {
  emailHashes,
  emailOf,
  parseReport,
  runCli,
  sha256,
  tempDir,
  writeAudience,
  writePipeline,
} from './helpers.js';

const SEGMENTS = [{ sourceSegmentId: 'customers', name: 'Customers', route: 'customer' }];

describe('events mode', () => {
  let emu: Emulator;
  let dir: string;
  let mirror: string;
  let events: string;
  const seg = () => emu.segments().find((s) => s.sourceSegmentId === 'customers')!.id;
  const sent = () => emu.stats().elements;
  const run = async (config: string, ...flags: string[]) => {
    const r = await runCli(['sync', '--config', config, '--json', ...flags]);
    const report = parseReport(r);
    expect(report.rows.balanced).toBe(true);
    return { r, report };
  };
  const hashes = (ids: number[]) => ids.map((id) => sha256(emailOf(id))).sort();
  const titleOf = (id: number) =>
    emu.members(seg()).find((m) => JSON.stringify(m).includes(sha256(emailOf(id))))?.title;

  function writeEvents(file: string, rows: [number, string, string?, string?][]): void {
    const lines = ['email,first_name,last_name,job_title,segments,action,_ab_cdc_deleted_at'];
    for (const [id, action, title, deleted] of rows)
      lines.push(
        `${emailOf(id)},First${id},Last${id},${title ?? 'Engineer'},customer,${action},${deleted ?? ''}`,
      );
    writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
  }

  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0 });
    dir = tempDir();
    mirror = writePipeline(dir, { restUrl: emu.restUrl, csv: './audience.csv', segments: SEGMENTS });
    // The events pipeline shares the mirror pipeline's state store, in its own file.
    const p = YAML.parse(readFileSync(mirror, 'utf8')) as Record<string, unknown>;
    p.name = 'e2e-events';
    p.mode = 'events';
    (p.source as { config: { path: string } }).config.path = './events/*.csv';
    events = join(dir, 'events.yaml');
    writeFileSync(events, YAML.stringify(p));
    mkdirSync(join(dir, 'events'));
  });
  afterAll(async () => emu.close());

  it('applies ADD, REMOVE, deletion markers and changes; the last event of an identity wins', async () => {
    writeAudience(
      join(dir, 'audience.csv'),
      Array.from({ length: 10 }, (_, i) => ({ id: i + 1, segments: ['customer'] })),
    );
    expect((await run(mirror)).r.code).toBe(0);
    expect(emailHashes(emu.members(seg()))).toEqual(hashes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));

    writeEvents('events/001.csv', [
      [1, 'REMOVE'],
      [50, 'add'],
      [51, 'ADD'],
      [51, 'DELETE'], // added then removed in the same run: never sent
      [2, 'UPSERT', 'Director'], // a change: old payload removed, new one added
      [3, 'SHOUT'], // unknown action: rejected, row reported
      [4, '', undefined, '2026-11-23T10:00:00Z'], // deletion marker
      [5, 'ADD'], // already there unchanged: nothing to send
    ]);
    const before = sent();
    const { r, report } = await run(events);
    expect(r.code, r.stderr).toBe(3); // completed with rejections
    expect(report.rows).toMatchObject({ read: 8, rejected: 1, emitted: 7 });
    expect(Object.keys(report.rows.rejectedByReason)).toEqual(['action: unknown action "SHOUT"']);
    expect(emailHashes(emu.members(seg()))).toEqual(hashes([2, 3, 5, 6, 7, 8, 9, 10, 50]));
    expect(titleOf(2)).toBe('Director');
    const after = sent();
    expect(after.added - before.added).toBe(2); // 50, new payload of 2
    expect(after.removed - before.removed).toBe(3); // 1, 4, old payload of 2
    expect(report.segments[0]!.planned).toMatchObject({ add: 1, remove: 2, change: 1 });
  });

  it('resumes after the events already applied: a new file only', async () => {
    writeEvents('events/002.csv', [[6, 'REMOVE']]);
    const { r, report } = await run(events);
    expect(r.code, r.stderr).toBe(0);
    expect(report.rows.read).toBe(1);
    expect(emailHashes(emu.members(seg()))).toEqual(hashes([2, 3, 5, 7, 8, 9, 10, 50]));
  });

  it('--from-start replays every event and, against the exact checkpoint, sends nothing', async () => {
    const before = sent();
    const { report } = await run(events, '--from-start');
    expect(report.rows.read).toBe(9);
    expect(report.totals.sent).toBe(0);
    expect(sent()).toEqual(before);
  });

  it('a mirror run after events runs sends only the true difference', async () => {
    writeAudience(
      join(dir, 'audience.csv'),
      [2, 3, 5, 7, 8, 9, 10, 50, 60].map((id) => ({
        id,
        segments: ['customer'],
        ...(id === 2 ? { title: 'Director' } : {}),
      })),
    );
    const before = sent();
    const { r, report } = await run(mirror);
    expect(r.code, r.stderr).toBe(0);
    expect(report.segments[0]!.planned).toMatchObject({ add: 1, remove: 0, change: 0, unchanged: 8 });
    expect(sent().added - before.added).toBe(1);
    expect(sent().removed - before.removed).toBe(0);
  });
});
