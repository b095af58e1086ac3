/** `dmpsync status` and `dmpsync segments ...` against the emulator, as real processes. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { parseReport, runCli, tempDir, writeAudience, writePipeline } from './helpers.js';

describe('status and segments commands', () => {
  let emu: Emulator;
  let pipeline: string;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0, updatingToReadyMs: 0 });
    const dir = tempDir();
    writeAudience(
      join(dir, 'a.csv'),
      Array.from({ length: 120 }, (_, i) => ({ id: i + 1, segments: ['customer'] })),
    );
    pipeline = writePipeline(dir, { restUrl: emu.restUrl, csv: './a.csv' });
    expect(parseReport(await runCli(['sync', '--config', pipeline, '--json'])).exitCode).toBe(0);
  });
  afterAll(async () => emu.close());

  it('status reads back LinkedIn status, sizes, the checkpoint and the last run, with warnings', async () => {
    const r = await runCli(['status', '--config', pipeline, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      sourceSegmentId: string;
      found: boolean;
      checkpointMembers: number;
      lastRunStatus: string | null;
      warnings: string[];
    }[];
    const customers = rows.find((x) => x.sourceSegmentId === 'customers')!;
    expect(customers).toMatchObject({ found: true, checkpointMembers: 120, lastRunStatus: 'succeeded' });
    expect(customers.warnings.join()).toMatch(/under 300|300/);
    const table = await runCli(['status', '--config', pipeline]);
    expect(table.stdout).toContain('customers');
  });

  it('segments list, get, rename and delete', async () => {
    const list = await runCli(['segments', 'list', '--config', pipeline]);
    expect(list.code).toBe(0);
    const id = emu.segments().find((s) => s.sourceSegmentId === 'customers')!.id;
    expect(list.stdout).toContain(id);
    const got = await runCli(['segments', 'get', id, '--config', pipeline]);
    expect(JSON.parse(got.stdout)).toMatchObject({ sourceSegmentId: 'customers' });
    expect((await runCli(['segments', 'rename', id, 'Renamed', '--config', pipeline])).code).toBe(0);
    expect(emu.segments().find((s) => s.id === id)!.name).toBe('Renamed');
    expect((await runCli(['segments', 'delete', id, '--config', pipeline])).code).toBe(2); // needs --yes
    expect((await runCli(['segments', 'delete', id, '--config', pipeline, '--yes'])).code).toBe(0);
    expect(emu.segments().find((s) => s.id === id)).toBeUndefined();
  });
});
