/**
 * `dmpsync write` as Airbyte runs it: the real CLI process, NDJSON on stdin, the emulator as
 * LinkedIn. STATEs are echoed in order with their record counts only once the run has committed;
 * an overwrite stream mirrors the audience (a later, smaller stream removes members); failures
 * end with a TRACE ERROR, a non-zero exit and no echoed STATE; stdout is protocol JSON only.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { CLI, emailHashes, runCli, sha256, tempDir } from '../e2e/helpers.js';

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

  it('an append stream is events: records ADD, a CDC deletion marker REMOVEs; STATEs echoed after commit', async () => {
    const first = await runCli(['write', '--config', config('events'), '--catalog', catalog()], {
      input: [1, 2, 3, 4].map(record).concat(state(1)).join('\n'),
    });
    expect(first.code, first.stderr).toBe(0);
    const deleted = (i: number) =>
      JSON.stringify({
        type: 'RECORD',
        record: {
          stream: 'contacts',
          emitted_at: 2,
          data: {
            email: `w${i}@client.io`,
            segments: 'customer',
            _ab_cdc_deleted_at: '2026-11-23T00:00:00Z',
          },
        },
      });
    // Events never remove what they do not name: 1, 3 and 4 stay; 2 goes; 7 comes, 8 comes and goes.
    const before = emu.stats().elements;
    const r = await runCli(['write', '--config', config('events'), '--catalog', catalog('append')], {
      input: [record(7), deleted(2), state(2), record(8), deleted(8), state(3)].join('\n'),
    });
    expect(r.code, r.stderr).toBe(0);
    const states = messages(r.stdout).filter((m) => m.type === 'STATE');
    expect(
      states.map((m) => (m as unknown as { state: { destinationStats: unknown } }).state.destinationStats),
    ).toEqual([{ recordCount: 2 }, { recordCount: 2 }]);
    expect(members('events-customers')).toEqual([1, 3, 4, 7].map((i) => sha256(`w${i}@client.io`)).sort());
    const after = emu.stats().elements;
    expect(after.added - before.added).toBe(1);
    expect(after.removed - before.removed).toBe(1);

    // An overwrite sync afterwards diffs against the exact checkpoint the events left.
    const mirror = await runCli(['write', '--config', config('events'), '--catalog', catalog()], {
      input: [1, 3, 4, 7].map(record).concat(state(4)).join('\n'),
    });
    expect(mirror.code, mirror.stderr).toBe(0);
    expect(emu.stats().elements).toEqual(after);
  });

  it('killed mid-stream, the replayed log converges to the exact audience', async () => {
    const log = [...Array.from({ length: 60 }, (_, i) => record(100 + i)), state(1)].join('\n');
    const file = config('killed', { batchSize: 5, concurrency: 1 });
    emu.setFaults({ latencyMs: 120, paths: ['/users'] });
    const child = spawn(process.execPath, [CLI, 'write', '--config', file, '--catalog', catalog()], {
      env: { ...process.env, DMPSYNC_LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stdin.end(log);
    const usersRequests = () =>
      Object.entries(emu.stats().requests)
        .filter(([k]) => k.includes('/users'))
        .reduce((a, [, n]) => a + n, 0);
    const start = usersRequests();
    while (usersRequests() < start + 3) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    emu.setFaults({});
    expect(stdout).not.toContain('"STATE"'); // nothing was committed: nothing echoed
    expect(members('killed-customers').length).toBeLessThan(60);

    const replay = await runCli(['write', '--config', file, '--catalog', catalog()], { input: log });
    expect(replay.code, replay.stderr).toBe(0);
    expect(messages(replay.stdout).filter((m) => m.type === 'STATE')).toHaveLength(1);
    expect(members('killed-customers')).toEqual(
      Array.from({ length: 60 }, (_, i) => sha256(`w${100 + i}@client.io`)).sort(),
    );
  });

  it('an append stream commits at every STATE: killed after the first echo, the rest of the log converges', async () => {
    const chunk = (from: number) => Array.from({ length: 20 }, (_, i) => record(from + i));
    const log = [...chunk(300), state(1), ...chunk(320), state(2), ...chunk(340), state(3)];
    const file = config('commits', { batchSize: 5, concurrency: 1 });
    emu.setFaults({ latencyMs: 80, paths: ['/users'] });
    const child = spawn(process.execPath, [CLI, 'write', '--config', file, '--catalog', catalog('append')], {
      env: { ...process.env, DMPSYNC_LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    const firstEcho = new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('"STATE"')) resolve();
      }),
    );
    child.stdin.end(log.join('\n'));
    await firstEcho;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    emu.setFaults({});
    // The echoed STATE promised its 20 records: they are at LinkedIn.
    const echoed = messages(stdout).filter((m) => m.type === 'STATE');
    expect(echoed[0]).toMatchObject({
      state: { stream: { stream_state: { n: 1 } }, destinationStats: { recordCount: 20 } },
    });
    const landed = members('commits-customers');
    for (let i = 300; i < 320; i++) expect(landed).toContain(sha256(`w${i}@client.io`));

    // The platform resends from the last STATE it saw.
    const rest = log.slice(log.indexOf(state(echoed.length)) + 1);
    const replay = await runCli(['write', '--config', file, '--catalog', catalog('append')], {
      input: rest.join('\n'),
    });
    expect(replay.code, replay.stderr).toBe(0);
    expect(messages(replay.stdout).filter((m) => m.type === 'STATE')).toHaveLength(3 - echoed.length);
    expect(members('commits-customers')).toEqual(
      Array.from({ length: 60 }, (_, i) => sha256(`w${300 + i}@client.io`)).sort(),
    );
  });

  it('refuses an unsupported sync mode or a config with a source as a config error (exit 2)', async () => {
    const update = await runCli(['write', '--config', config('update'), '--catalog', catalog('update')], {
      input: record(1),
    });
    expect(update.code).toBe(2);
    expect(messages(update.stdout)).toEqual([
      expect.objectContaining({
        type: 'TRACE',
        trace: expect.objectContaining({
          error: expect.objectContaining({
            failure_type: 'config_error',
            message: expect.stringContaining('update is not supported'),
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

  it('spec and check speak of the destination config with --role destination (or DMPSYNC_AIRBYTE_ROLE)', async () => {
    const spec = await runCli(['spec'], { env: { DMPSYNC_AIRBYTE_ROLE: 'destination' } });
    expect(spec.code, spec.stderr).toBe(0);
    const [msg] = messages(spec.stdout) as unknown as {
      spec: Record<string, unknown> & {
        connectionSpecification: { properties: object; required?: string[] };
      };
    }[];
    expect(msg!.spec.supported_destination_sync_modes).toEqual(['overwrite', 'append', 'append_dedup']);
    expect(Object.keys(msg!.spec.connectionSpecification.properties)).not.toContain('source');
    expect(Object.keys(msg!.spec.connectionSpecification.properties)).toContain('destination');
    expect(msg!.spec.connectionSpecification.required ?? []).not.toContain('source');

    const ok = await runCli(['check', '--role', 'destination', '--config', config('check')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(messages(ok.stdout)).toEqual([
      { type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } },
    ]);
    const strict = await startEmulator({ accessTokens: ['the-good-one'], segmentReadyDelayMs: 0 });
    const bad = await runCli([
      'check',
      '--role',
      'destination',
      '--config',
      config('bad', { baseUrl: strict.restUrl, auth: { accessToken: 'nope' } }),
    ]).finally(() => strict.close());
    expect(messages(bad.stdout)[0]).toMatchObject({ connectionStatus: { status: 'FAILED' } });
  });
});
