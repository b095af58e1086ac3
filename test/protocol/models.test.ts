import { describe, expect, it } from 'vitest';
import {
  AirbyteMessage,
  AirbyteStateMessage,
  ConfiguredAirbyteCatalog,
  catalogMessage,
  connectionStatus,
  logMessage,
  recordMessage,
  specMessage,
  streamStateMessage,
  streamStatus,
  traceError,
} from '../../core/protocol/models.js';

/** One wire example per message type (and per TRACE / STATE sub-type), exactly as on stdout. */
const WIRE: Record<string, string> = {
  RECORD:
    '{"type":"RECORD","record":{"stream":"crm_contacts","namespace":"public","emitted_at":1735787045000,"data":{"id":42,"email":"ana@example.com"},"meta":{"changes":[{"field":"title","change":"TRUNCATED","reason":"DESTINATION_FIELD_SIZE_LIMITATION"}]}}}',
  'STATE STREAM':
    '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"crm_contacts","namespace":"public"},"stream_state":{"cursor":"2025-01-02T03:04:05Z"}},"sourceStats":{"recordCount":500}}}',
  'STATE STREAM echoed':
    '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"seg_a"},"stream_state":{"row":1000}},"sourceStats":{"recordCount":1000},"destinationStats":{"recordCount":1000,"rejectedRecordCount":2}}}',
  'STATE STREAM reset':
    '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"crm_contacts"},"stream_state":null}}}',
  'STATE GLOBAL':
    '{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"lsn":"0/16B3748"},"stream_states":[{"stream_descriptor":{"name":"orders"},"stream_state":{"snapshot_done":true}}]}}}',
  'STATE LEGACY': '{"type":"STATE","state":{"type":"LEGACY","data":{"crm_contacts":{"cursor":"x"}}}}',
  'STATE untyped legacy': '{"type":"STATE","state":{"data":{"crm_contacts":{"cursor":"x"}}}}',
  LOG: '{"type":"LOG","log":{"level":"INFO","message":"crm_contacts: read 500 rows","stack_trace":"at x"}}',
  'TRACE ERROR':
    '{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1735787045123.5,"error":{"message":"LinkedIn rejected the access token.","internal_message":"HTTP 401","failure_type":"config_error","stream_descriptor":{"name":"seg_high_value"}}}}',
  'TRACE ESTIMATE':
    '{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1,"estimate":{"name":"orders","type":"STREAM","namespace":"public","row_estimate":1000,"byte_estimate":65536}}}',
  'TRACE STREAM_STATUS':
    '{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1735787046000,"stream_status":{"stream_descriptor":{"name":"crm_contacts"},"status":"INCOMPLETE","reasons":[{"type":"RATE_LIMITED","rate_limited":{"quota_reset":1735787100000}}]}}}',
  'TRACE ANALYTICS':
    '{"type":"TRACE","trace":{"type":"ANALYTICS","emitted_at":1,"analytics":{"type":"hashing","value":"sha256"}}}',
  SPEC: '{"type":"SPEC","spec":{"documentationUrl":"https://example.invalid/docs","protocol_version":"0.2.0","connectionSpecification":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["access_token"],"properties":{"access_token":{"type":"string","airbyte_secret":true}}},"supported_destination_sync_modes":["append","overwrite"]}}',
  CATALOG:
    '{"type":"CATALOG","catalog":{"streams":[{"name":"crm_contacts","namespace":"public","json_schema":{"type":"object","properties":{"id":{"type":"integer"}}},"supported_sync_modes":["full_refresh","incremental"],"source_defined_cursor":false,"default_cursor_field":["updated_at"],"source_defined_primary_key":[["id"]],"is_resumable":true}]}}',
  CONNECTION_STATUS:
    '{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"password authentication failed"}}',
  CONTROL:
    '{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1735787047000,"connectorConfig":{"config":{"refresh_token":"new"}}}}',
  DESTINATION_CATALOG:
    '{"type":"DESTINATION_CATALOG","destination_catalog":{"operations":[{"object_name":"seg_a","sync_mode":"overwrite","json_schema":{"type":"object"},"matching_keys":[["email_sha256"]]}]}}',
};

describe('AirbyteMessage', () => {
  for (const [name, line] of Object.entries(WIRE)) {
    it(`parses and round-trips ${name}`, () => {
      const raw = JSON.parse(line) as unknown;
      const parsed = AirbyteMessage.parse(raw);
      expect(parsed).toEqual(raw);
      // Serialise and read back: same message (key order may differ; JSON objects are unordered).
      expect(AirbyteMessage.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(raw);
      expect(parsed.type).toBe(name.split(' ')[0]);
    });
  }

  it('keeps unknown fields at every level (forward compatibility)', () => {
    const raw = {
      type: 'RECORD',
      future_envelope_field: 1,
      record: { stream: 's', data: { a: 1 }, emitted_at: 5, future_record_field: { x: [1] } },
    };
    expect(AirbyteMessage.parse(raw)).toEqual(raw);
    const state = JSON.parse(WIRE['STATE STREAM'] as string) as { state: Record<string, unknown> };
    state.state.future = 'x';
    expect(AirbyteMessage.parse(state)).toEqual(state);
  });

  it('is strict on type: unknown or lower-case types, and payloads under the wrong key, fail', () => {
    expect(AirbyteMessage.safeParse({ type: 'HEARTBEAT' }).success).toBe(false);
    expect(
      AirbyteMessage.safeParse({ type: 'connection_status', connectionStatus: { status: 'SUCCEEDED' } })
        .success,
    ).toBe(false);
    // The payload key is camelCase on the wire.
    expect(
      AirbyteMessage.safeParse({ type: 'CONNECTION_STATUS', connection_status: { status: 'SUCCEEDED' } })
        .success,
    ).toBe(false);
    expect(AirbyteMessage.safeParse({ type: 'TRACE', trace: { type: 'ERROR', emitted_at: 1 } }).success).toBe(
      false,
    );
    expect(AirbyteMessage.safeParse({ type: 'LOG', log: { level: 'VERBOSE', message: 'x' } }).success).toBe(
      false,
    );
    expect(
      AirbyteMessage.safeParse({ type: 'RECORD', record: { stream: 's', data: {}, emitted_at: 1.5 } })
        .success,
    ).toBe(false);
  });

  it('requires the payload a state type names', () => {
    expect(AirbyteStateMessage.safeParse({ type: 'STREAM' }).success).toBe(false);
    expect(AirbyteStateMessage.safeParse({ type: 'GLOBAL' }).success).toBe(false);
    expect(AirbyteStateMessage.safeParse({ type: 'STREAM', stream: { stream_descriptor: {} } }).success).toBe(
      false,
    );
  });

  it('applies the configured catalog defaults (sync_mode full_refresh, destination_sync_mode append)', () => {
    const c = ConfiguredAirbyteCatalog.parse({
      streams: [{ stream: { name: 'a', json_schema: {}, supported_sync_modes: ['full_refresh'] } }],
    });
    expect(c.streams[0]).toMatchObject({ sync_mode: 'full_refresh', destination_sync_mode: 'append' });
    const full = ConfiguredAirbyteCatalog.parse({
      streams: [
        {
          stream: {
            name: 'c',
            json_schema: { type: 'object' },
            supported_sync_modes: ['full_refresh', 'incremental'],
          },
          sync_mode: 'incremental',
          cursor_field: ['updated_at'],
          destination_sync_mode: 'append_dedup',
          primary_key: [['id']],
          generation_id: 3,
          minimum_generation_id: 0,
          sync_id: 1017,
        },
      ],
    });
    expect(full.streams[0]?.primary_key).toEqual([['id']]);
    expect(
      ConfiguredAirbyteCatalog.safeParse({
        streams: [{ stream: { name: 'x', json_schema: {}, supported_sync_modes: [] } }],
      }).success,
    ).toBe(false);
  });
});

describe('message builders', () => {
  it('build valid messages with the exact wire names', () => {
    const built = [
      recordMessage('audience', { email: 'x' }, 1735787045000.7),
      recordMessage({ name: 'orders', namespace: 'public' }, {}, 1),
      streamStateMessage('audience', { file: 'a.csv', row: 10 }, 10),
      streamStateMessage('audience', null),
      logMessage('WARN', 'careful'),
      traceError('bad token', 'config_error', 'HTTP 401', 'seg_a', 5),
      traceError('boom', 'system_error'),
      streamStatus('audience', 'COMPLETE', 6),
      specMessage({ documentationUrl: 'https://x.invalid', connectionSpecification: { type: 'object' } }),
      connectionStatus(true),
      connectionStatus(false, 'nope'),
      catalogMessage({
        streams: [{ name: 'a', json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh'] }],
      }),
    ];
    for (const m of built) expect(AirbyteMessage.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(built[0]).toEqual({
      type: 'RECORD',
      record: { stream: 'audience', data: { email: 'x' }, emitted_at: 1735787045000 },
    });
    expect(built[1]).toMatchObject({ record: { stream: 'orders', namespace: 'public' } });
    expect(built[2]).toEqual({
      type: 'STATE',
      state: {
        type: 'STREAM',
        stream: { stream_descriptor: { name: 'audience' }, stream_state: { file: 'a.csv', row: 10 } },
        sourceStats: { recordCount: 10 },
      },
    });
    expect(built[5]).toEqual({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: 5,
        error: {
          message: 'bad token',
          failure_type: 'config_error',
          internal_message: 'HTTP 401',
          stream_descriptor: { name: 'seg_a' },
        },
      },
    });
    expect(built[7]).toEqual({
      type: 'TRACE',
      trace: {
        type: 'STREAM_STATUS',
        emitted_at: 6,
        stream_status: { stream_descriptor: { name: 'audience' }, status: 'COMPLETE' },
      },
    });
    expect(built[9]).toEqual({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
    expect(built[10]).toEqual({
      type: 'CONNECTION_STATUS',
      connectionStatus: { status: 'FAILED', message: 'nope' },
    });
  });
});
