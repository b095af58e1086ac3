/**
 * Zod models of the Airbyte protocol (airbyte_protocol.yaml, package 0.18), with the exact wire
 * names: the payload keys mix camelCase (`connectionStatus`, `sourceStats`, `recordCount`) and
 * snake_case (`emitted_at`, `stream_descriptor`), so nothing here may be renamed automatically.
 * Every object is loose: unknown fields pass through untouched (forward compatibility); only the
 * message `type` and the documented enums are strict.
 */
import { z } from 'zod';

/** An opaque JSON object (record data, state blobs, JSON Schemas). */
const JsonObject = z.record(z.string(), z.unknown());

// ---------------------------------------------------------------- shared

export const StreamDescriptor = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
});

export const SyncMode = z.enum(['full_refresh', 'incremental']);
export const DestinationSyncMode = z.enum(['append', 'overwrite', 'append_dedup', 'update', 'soft_delete']);
export const FailureTypeModel = z.enum(['system_error', 'config_error', 'transient_error']);

// ---------------------------------------------------------------- RECORD

export const AirbyteRecordChange = z.looseObject({
  field: z.string(),
  change: z.enum(['NULLED', 'TRUNCATED']),
  reason: z.string(),
});

export const AirbyteRecordMessage = z.looseObject({
  stream: z.string(),
  namespace: z.string().optional(),
  data: JsonObject,
  /** Epoch milliseconds, an integer on the wire. */
  emitted_at: z.number().int(),
  meta: z.looseObject({ changes: z.array(AirbyteRecordChange).optional() }).optional(),
  file_reference: z
    .looseObject({
      staging_file_url: z.string().optional(),
      source_file_relative_path: z.string().optional(),
      file_size_bytes: z.number().optional(),
    })
    .optional(),
});

// ---------------------------------------------------------------- STATE

export const AirbyteStateStats = z.looseObject({
  recordCount: z.number().optional(),
  rejectedRecordCount: z.number().optional(),
});

export const AirbyteStreamState = z.looseObject({
  stream_descriptor: StreamDescriptor,
  /** Opaque to everyone but the source; null means the stream was reset. */
  stream_state: JsonObject.nullable().optional(),
});

export const AirbyteGlobalState = z.looseObject({
  shared_state: JsonObject.nullable().optional(),
  stream_states: z.array(AirbyteStreamState),
});

export const AirbyteStateType = z.enum(['STREAM', 'GLOBAL', 'LEGACY']);

export const AirbyteStateMessage = z
  .looseObject({
    /** Absent means LEGACY (protocol rule). */
    type: AirbyteStateType.optional(),
    stream: AirbyteStreamState.optional(),
    global: AirbyteGlobalState.optional(),
    /** Deprecated LEGACY blob. */
    data: JsonObject.nullable().optional(),
    sourceStats: AirbyteStateStats.optional(),
    destinationStats: AirbyteStateStats.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'STREAM' && !s.stream)
      ctx.addIssue({ code: 'custom', message: 'STREAM state needs `stream`' });
    if (s.type === 'GLOBAL' && !s.global)
      ctx.addIssue({ code: 'custom', message: 'GLOBAL state needs `global`' });
  });

// ---------------------------------------------------------------- LOG

export const LogLevel = z.enum(['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']);

export const AirbyteLogMessage = z.looseObject({
  level: LogLevel,
  message: z.string(),
  stack_trace: z.string().optional(),
});

// ---------------------------------------------------------------- TRACE

export const AirbyteErrorTraceMessage = z.looseObject({
  message: z.string(),
  internal_message: z.string().optional(),
  stack_trace: z.string().optional(),
  failure_type: FailureTypeModel.optional(),
  stream_descriptor: StreamDescriptor.optional(),
});

export const AirbyteEstimateTraceMessage = z.looseObject({
  name: z.string(),
  type: z.enum(['STREAM', 'SYNC']),
  namespace: z.string().optional(),
  row_estimate: z.number().optional(),
  byte_estimate: z.number().optional(),
});

export const StreamStatus = z.enum(['STARTED', 'RUNNING', 'COMPLETE', 'INCOMPLETE']);

export const AirbyteStreamStatusTraceMessage = z.looseObject({
  stream_descriptor: StreamDescriptor,
  status: StreamStatus,
  /** Reason types are left open (only RATE_LIMITED exists today). */
  reasons: z
    .array(
      z.looseObject({
        type: z.string(),
        rate_limited: z.looseObject({ quota_reset: z.number().optional() }).optional(),
      }),
    )
    .optional(),
});

export const AirbyteAnalyticsTraceMessage = z.looseObject({
  type: z.string(),
  value: z.string().optional(),
});

/** `emitted_at` is a (possibly fractional) number of ms here, unlike RECORD's integer. */
const traceBase = { emitted_at: z.number() };

export const AirbyteTraceMessage = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('ERROR'), ...traceBase, error: AirbyteErrorTraceMessage }),
  z.looseObject({ type: z.literal('ESTIMATE'), ...traceBase, estimate: AirbyteEstimateTraceMessage }),
  z.looseObject({
    type: z.literal('STREAM_STATUS'),
    ...traceBase,
    stream_status: AirbyteStreamStatusTraceMessage,
  }),
  z.looseObject({ type: z.literal('ANALYTICS'), ...traceBase, analytics: AirbyteAnalyticsTraceMessage }),
]);

// ---------------------------------------------------------------- SPEC / CONNECTION_STATUS

export const ConnectorSpecification = z.looseObject({
  documentationUrl: z.string().optional(),
  changelogUrl: z.string().optional(),
  /** The config's JSON Schema (draft-07). */
  connectionSpecification: JsonObject,
  protocol_version: z.string().optional(),
  supportsIncremental: z.boolean().optional(),
  supportsNormalization: z.boolean().optional(),
  supportsDBT: z.boolean().optional(),
  supported_destination_sync_modes: z.array(DestinationSyncMode).optional(),
  authSpecification: JsonObject.optional(),
  advanced_auth: JsonObject.optional(),
});

export const AirbyteConnectionStatus = z.looseObject({
  status: z.enum(['SUCCEEDED', 'FAILED']),
  message: z.string().optional(),
});

// ---------------------------------------------------------------- CATALOG

export const AirbyteStream = z.looseObject({
  name: z.string(),
  json_schema: JsonObject,
  supported_sync_modes: z.array(SyncMode).min(1),
  source_defined_cursor: z.boolean().optional(),
  default_cursor_field: z.array(z.string()).optional(),
  source_defined_primary_key: z.array(z.array(z.string())).optional(),
  namespace: z.string().optional(),
  is_resumable: z.boolean().optional(),
  is_file_based: z.boolean().optional(),
});

export const AirbyteCatalog = z.looseObject({ streams: z.array(AirbyteStream) });

export const ConfiguredAirbyteStream = z.looseObject({
  stream: AirbyteStream,
  sync_mode: SyncMode.default('full_refresh'),
  cursor_field: z.array(z.string()).optional(),
  destination_sync_mode: DestinationSyncMode.default('append'),
  primary_key: z.array(z.array(z.string())).optional(),
  generation_id: z.number().int().nullable().optional(),
  minimum_generation_id: z.number().int().nullable().optional(),
  sync_id: z.number().int().nullable().optional(),
  destination_object_name: z.string().optional(),
  include_files: z.boolean().optional(),
});

export const ConfiguredAirbyteCatalog = z.looseObject({ streams: z.array(ConfiguredAirbyteStream) });

export const DestinationCatalog = z.looseObject({
  operations: z.array(
    z.looseObject({
      object_name: z.string(),
      sync_mode: DestinationSyncMode,
      json_schema: JsonObject,
      matching_keys: z.array(z.array(z.string())).optional(),
    }),
  ),
});

// ---------------------------------------------------------------- CONTROL

export const AirbyteControlMessage = z.looseObject({
  type: z.literal('CONNECTOR_CONFIG'),
  emitted_at: z.number(),
  connectorConfig: z.looseObject({ config: JsonObject }),
});

// ---------------------------------------------------------------- envelope

/** The envelope: exactly one payload key, chosen by `type`. */
export const AirbyteMessage = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('RECORD'), record: AirbyteRecordMessage }),
  z.looseObject({ type: z.literal('STATE'), state: AirbyteStateMessage }),
  z.looseObject({ type: z.literal('LOG'), log: AirbyteLogMessage }),
  z.looseObject({ type: z.literal('TRACE'), trace: AirbyteTraceMessage }),
  z.looseObject({ type: z.literal('SPEC'), spec: ConnectorSpecification }),
  z.looseObject({ type: z.literal('CATALOG'), catalog: AirbyteCatalog }),
  z.looseObject({ type: z.literal('CONNECTION_STATUS'), connectionStatus: AirbyteConnectionStatus }),
  z.looseObject({ type: z.literal('CONTROL'), control: AirbyteControlMessage }),
  z.looseObject({ type: z.literal('DESTINATION_CATALOG'), destination_catalog: DestinationCatalog }),
]);

export const AIRBYTE_MESSAGE_TYPES = [
  'RECORD',
  'STATE',
  'LOG',
  'TRACE',
  'SPEC',
  'CATALOG',
  'CONNECTION_STATUS',
  'CONTROL',
  'DESTINATION_CATALOG',
] as const;

// ---------------------------------------------------------------- inferred types

export type StreamDescriptor = z.infer<typeof StreamDescriptor>;
export type SyncMode = z.infer<typeof SyncMode>;
export type DestinationSyncMode = z.infer<typeof DestinationSyncMode>;
export type AirbyteRecordMessage = z.infer<typeof AirbyteRecordMessage>;
export type AirbyteStateStats = z.infer<typeof AirbyteStateStats>;
export type AirbyteStreamState = z.infer<typeof AirbyteStreamState>;
export type AirbyteGlobalState = z.infer<typeof AirbyteGlobalState>;
export type AirbyteStateMessage = z.infer<typeof AirbyteStateMessage>;
export type LogLevel = z.infer<typeof LogLevel>;
export type AirbyteLogMessage = z.infer<typeof AirbyteLogMessage>;
export type AirbyteErrorTraceMessage = z.infer<typeof AirbyteErrorTraceMessage>;
export type AirbyteEstimateTraceMessage = z.infer<typeof AirbyteEstimateTraceMessage>;
export type StreamStatus = z.infer<typeof StreamStatus>;
export type AirbyteStreamStatusTraceMessage = z.infer<typeof AirbyteStreamStatusTraceMessage>;
export type AirbyteTraceMessage = z.infer<typeof AirbyteTraceMessage>;
export type ConnectorSpecification = z.infer<typeof ConnectorSpecification>;
export type AirbyteConnectionStatus = z.infer<typeof AirbyteConnectionStatus>;
export type AirbyteStream = z.infer<typeof AirbyteStream>;
export type AirbyteCatalog = z.infer<typeof AirbyteCatalog>;
export type ConfiguredAirbyteStream = z.infer<typeof ConfiguredAirbyteStream>;
export type ConfiguredAirbyteCatalog = z.infer<typeof ConfiguredAirbyteCatalog>;
export type DestinationCatalog = z.infer<typeof DestinationCatalog>;
export type AirbyteControlMessage = z.infer<typeof AirbyteControlMessage>;
export type AirbyteMessage = z.infer<typeof AirbyteMessage>;
export type AirbyteMessageType = AirbyteMessage['type'];

// Builders live in their own file (types-only import back here, so no runtime cycle).
export {
  catalogMessage,
  connectionStatus,
  logMessage,
  recordMessage,
  specMessage,
  streamStateMessage,
  streamStatus,
  traceError,
} from './builders.js';
