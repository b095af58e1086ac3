/** The Airbyte protocol commands as real child processes: stdout carries valid protocol messages only. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { AirbyteMessage } from '../../core/protocol/models.js';
import { runCli, tempDir, writeAudience, writePipeline } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the messages it expects
type Msg = { type: string } & Record<string, any>;

function messages(stdout: string): Msg[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = AirbyteMessage.safeParse(JSON.parse(line));
      expect(parsed.success, line).toBe(true);
      return parsed.data as Msg;
    });
}

describe('protocol commands', () => {
  let emu: Emulator;
  let dir: string;
  let pipeline: string;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0 });
    dir = tempDir();
    writeAudience(
      join(dir, 'audience.csv'),
      Array.from({ length: 25 }, (_, i) => ({ id: i + 1, segments: ['customer'] })),
      ['broken,"unterminated'],
    );
    pipeline = writePipeline(dir, { restUrl: emu.restUrl, csv: './audience.csv' });
  });
  afterAll(async () => emu.close());

  it('spec prints exactly one valid SPEC message whose schema covers the pipeline file', async () => {
    const r = await runCli(['spec']);
    expect(r.code).toBe(0);
    const msgs = messages(r.stdout);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.type).toBe('SPEC');
    const spec = msgs[0]!.spec;
    expect(Object.keys(spec.connectionSpecification.properties)).toEqual(
      expect.arrayContaining(['source', 'transforms', 'destination', 'state']),
    );
    const one = messages((await runCli(['spec', '--connector', 'linkedin-dmp'])).stdout)[0];
    expect(JSON.stringify(one!.spec)).toContain('"airbyte_secret":true');
  });

  it('read over a CSV prints only RECORD, STATE, LOG and TRACE messages, all valid', async () => {
    const catalog = join(dir, 'catalog.json');
    writeFileSync(
      catalog,
      JSON.stringify({
        streams: [
          {
            stream: { name: 'audience', json_schema: {}, supported_sync_modes: ['full_refresh'] },
            sync_mode: 'full_refresh',
            destination_sync_mode: 'overwrite',
          },
        ],
      }),
    );
    const r = await runCli(['read', '--config', pipeline, '--catalog', catalog]);
    expect(r.code, r.stderr).toBe(0);
    const msgs = messages(r.stdout);
    expect(new Set(msgs.map((m) => m.type))).toEqual(new Set(['RECORD', 'STATE', 'LOG', 'TRACE']));
    expect(msgs.filter((m) => m.type === 'RECORD')).toHaveLength(25);
    const log = msgs.find((m) => m.type === 'LOG');
    expect(log!.log.message).toMatch(/row 26/);
  });

  it('check reports CONNECTION_STATUS, and FAILED with a clear message on a bad token', async () => {
    const ok = messages((await runCli(['check', '--config', pipeline])).stdout);
    expect(ok).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }]);
    const emu2 = await startEmulator({ accessTokens: ['the-good-one'], segmentReadyDelayMs: 0 });
    try {
      const bad = writePipeline(tempDir(), {
        restUrl: emu2.restUrl,
        csv: join(dir, 'audience.csv'),
        token: 'a-bad-token-123',
      });
      const r = await runCli(['check', '--config', bad]);
      const [m] = messages(r.stdout);
      expect(m!.connectionStatus.status).toBe('FAILED');
      expect(r.stdout + r.stderr).not.toContain('a-bad-token-123');
    } finally {
      await emu2.close();
    }
  });

  it('discover prints the CSV columns as a CATALOG', async () => {
    const [m] = messages((await runCli(['discover', '--config', pipeline])).stdout);
    expect(m!.type).toBe('CATALOG');
    expect(Object.keys(m!.catalog.streams[0]!.json_schema.properties)).toEqual(
      expect.arrayContaining(['email', 'first_name', 'segments']),
    );
  });

  it('a protocol failure ends with TRACE ERROR and the config-error exit code', async () => {
    const r = await runCli(['discover', '--config', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(2);
    const [m] = messages(r.stdout);
    expect(m!.trace.error.failure_type).toBe('config_error');
    expect(m!.trace.error.message).toContain('missing.yaml');
  });
});
