/**
 * `dmpsync write` as Airbyte runs it: the real CLI process, NDJSON on stdin, the emulator as
 * LinkedIn. STATEs are echoed in order with their record counts only once the run has committed;
 * an overwrite stream mirrors the audience (a later, smaller stream removes members); failures
 * end with a TRACE ERROR, a non-zero exit and no echoed STATE; stdout is protocol JSON only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { emailHashes, runCli, sha256, tempDir } from '../e2e/helpers.js';

let emu: Emulator;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0 });
  dir = tempDir('dmpsync-write-');
});
afterAll(async () => emu?.close());

function config(name: string, destination: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  const pipeline = {
    transforms: [
      { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
      { type: 'linkedin-user', config: { fields: { email: 'email' } } },
    ],
    destination: {
      type: 'linkedin-dmp',
      config: {
        baseUrl: emu.restUrl,
        auth: { accessToken: 'write-token' },
        adAccount: 'urn:li:sponsoredAccount:777',
        sourcePlatform: 'DMPSYNC',
        createWaitMs: 0,
        segments: [{ sourceSegmentId: `${name}-customers`, name: 'Customers', route: 'customer' }],
        ...destination,
      },
    },
    state: { type: 'sqlite', path: `./${name}.db` },
    guardrails: { minSegmentSize: 0, maxRemoveShare: 1 },
  };
  writeFileSync(file, JSON.stringify(pipeline));
  return file;
}

function catalog(mode = 'overwrite'): string {
  const file = join(dir, `catalog-${mode}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      streams: [
        {
          stream: {
            name: 'contacts',
            json_schema: { type: 'object' },
            supported_sync_modes: ['full_refresh'],
          },
          sync_mode: 'full_refresh',
          destination_sync_mode: mode,
        },
      ],
    }),
  );
  return file;
}

const record = (i: number) =>
  JSON.stringify({
    type: 'RECORD',
    record: { stream: 'contacts', emitted_at: 1, data: { email: `w${i}@client.io`, segments: 'customer' } },
  });
const state = (n: number) =>
  JSON.stringify({
    type: 'STATE',
    state: { type: 'STREAM', stream: { stream_descriptor: { name: 'contacts' }, stream_state: { n } } },
  });

function messages(stdout: string): { type: string; [k: string]: unknown }[] {
  // Every stdout line must be one JSON protocol message.
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string });
}

describe('dmpsync write', () => {
  const members = (key: string) => {
    const seg = emu.segments().find((s) => s.sourceSegmentId === key)!;
    return emailHashes(emu.members(seg.id));
  };

  it('mirrors the stream and echoes every STATE in order, with record counts, after commit', async () => {
    const input = [
      record(1),
      record(2),
      record(3),
      state(1),
      'not json',
      record(4),
      record(5),
      state(2),
    ].join('\n');
    // Info-level logs on: they must all go to stderr.
    const r = await runCli(['write', '--config', config('mirror'), '--catalog', catalog()], {
      input,
      env: { DMPSYNC_LOG_LEVEL: 'info' },
    });
    expect(r.stderr).toContain('run started');
    expect(r.code, r.stderr).toBe(0);
    const out = messages(r.stdout);
    const states = out.filter((m) => m.type === 'STATE');
    expect(states).toEqual([
      {
        type: 'STATE',
        state: expect.objectContaining({
          stream: expect.objectContaining({ stream_state: { n: 1 } }),
          destinationStats: { recordCount: 3 },
        }),
      },
      {
        type: 'STATE',
        state: expect.objectContaining({
          stream: expect.objectContaining({ stream_state: { n: 2 } }),
          destinationStats: { recordCount: 2 },
        }),
      },
    ]);
    expect(out.find((m) => m.type === 'LOG')).toMatchObject({
      log: { level: 'WARN', message: expect.stringContaining('line 5 dropped') },
    });
    expect(members('mirror-customers')).toEqual([1, 2, 3, 4, 5].map((i) => sha256(`w${i}@client.io`)).sort());

    // Overwrite again with only two records: the other three are removed (mirror diff at end of stream).
    const again = await runCli(['write', '--config', config('mirror'), '--catalog', catalog()], {
      input: [record(1), record(4), state(3)].join('\n'),
    });
    expect(again.code, again.stderr).toBe(0);
    expect(messages(again.stdout).filter((m) => m.type === 'STATE')).toHaveLength(1);
    expect(members('mirror-customers')).toEqual([1, 4].map((i) => sha256(`w${i}@client.io`)).sort());
    expect(`${r.stdout}${r.stderr}`).not.toContain('w1@client.io');
  });

  it('echoes no STATE and ends with TRACE ERROR and exit 1 when the destination fails', async () => {
    const file = config('down', {
      baseUrl: 'http://127.0.0.1:9/rest',
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const r = await runCli(['write', '--config', file, '--catalog', catalog()], {
      input: [record(1), state(1)].join('\n'),
    });
    expect(r.code).toBe(1);
    const out = messages(r.stdout);
    expect(out.some((m) => m.type === 'STATE')).toBe(false);
    expect(out.at(-1)).toMatchObject({
      type: 'TRACE',
      trace: { type: 'ERROR', error: { failure_type: expect.any(String) } },
    });
  });

  it('refuses an append stream or a config with a source as a config error (exit 2)', async () => {
    const append = await runCli(['write', '--config', config('append'), '--catalog', catalog('append')], {
      input: record(1),
    });
    expect(append.code).toBe(2);
    expect(messages(append.stdout)).toEqual([
      expect.objectContaining({
        type: 'TRACE',
        trace: expect.objectContaining({
          error: expect.objectContaining({
            failure_type: 'config_error',
            message: expect.stringContaining('append is not supported'),
          }),
        }),
      }),
    ]);
    const withSource = join(dir, 'with-source.json');
    const full = JSON.parse(readFileSync(config('src'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      withSource,
      JSON.stringify({ ...full, source: { type: 'csv', config: { path: './x.csv' } } }),
    );
    const src = await runCli(['write', '--config', withSource, '--catalog', catalog()], { input: '' });
    expect(src.code).toBe(2);
    expect(messages(src.stdout)[0]).toMatchObject({
      trace: { error: { message: expect.stringContaining('write reads its records from stdin') } },
    });
  });
});
