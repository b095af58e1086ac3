/**
 * Small constructors for the messages connectors and the runner emit, so call sites never spell
 * wire names by hand. Trace builders take `emittedAt` last and default it to the wall clock: the
 * runner passes its injected clock; the default only keeps one-off callers short.
 */
import type { FailureType } from '../errors.js';
import type {
  AirbyteCatalog,
  AirbyteMessage,
  ConnectorSpecification,
  LogLevel,
  StreamDescriptor,
  StreamStatus,
} from './models.js';

type StreamRef = string | StreamDescriptor;

function descriptor(stream: StreamRef): StreamDescriptor {
  return typeof stream === 'string' ? { name: stream } : stream;
}

export function recordMessage(
  stream: StreamRef,
  data: Record<string, unknown>,
  emittedAt: number,
): Extract<AirbyteMessage, { type: 'RECORD' }> {
  const d = descriptor(stream);
  return {
    type: 'RECORD',
    record: {
      stream: d.name,
      ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
      data,
      emitted_at: Math.trunc(emittedAt),
    },
  };
}

/** A per-stream (STREAM) state; `recordCount` = records emitted for this stream since its previous state. */
export function streamStateMessage(
  stream: StreamRef,
  state: Record<string, unknown> | null,
  recordCount?: number,
): Extract<AirbyteMessage, { type: 'STATE' }> {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: descriptor(stream), stream_state: state },
      ...(recordCount !== undefined ? { sourceStats: { recordCount } } : {}),
    },
  };
}

export function logMessage(level: LogLevel, message: string): Extract<AirbyteMessage, { type: 'LOG' }> {
  return { type: 'LOG', log: { level, message } };
}

export function traceError(
  message: string,
  failureType: FailureType,
  internalMessage?: string,
  streamDescriptor?: StreamRef,
  emittedAt: number = Date.now(),
): Extract<AirbyteMessage, { type: 'TRACE' }> {
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: emittedAt,
      error: {
        message,
        failure_type: failureType,
        ...(internalMessage !== undefined ? { internal_message: internalMessage } : {}),
        ...(streamDescriptor !== undefined ? { stream_descriptor: descriptor(streamDescriptor) } : {}),
      },
    },
  };
}

export function streamStatus(
  stream: StreamRef,
  status: StreamStatus,
  emittedAt: number = Date.now(),
): Extract<AirbyteMessage, { type: 'TRACE' }> {
  return {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: emittedAt,
      stream_status: { stream_descriptor: descriptor(stream), status },
    },
  };
}

export function specMessage(spec: ConnectorSpecification): Extract<AirbyteMessage, { type: 'SPEC' }> {
  return { type: 'SPEC', spec };
}

export function connectionStatus(
  ok: boolean,
  message?: string,
): Extract<AirbyteMessage, { type: 'CONNECTION_STATUS' }> {
  return {
    type: 'CONNECTION_STATUS',
    connectionStatus: { status: ok ? 'SUCCEEDED' : 'FAILED', ...(message !== undefined ? { message } : {}) },
  };
}

export function catalogMessage(catalog: AirbyteCatalog): Extract<AirbyteMessage, { type: 'CATALOG' }> {
  return { type: 'CATALOG', catalog };
}

/** The catalog of a source with one stream whose columns are `properties` (JSON Schema per column). */
export function singleStreamCatalog(
  name: string,
  properties: Record<string, unknown>,
  sync: { incremental: boolean; cursorField?: string[] } = { incremental: true },
): AirbyteCatalog {
  return {
    streams: [
      {
        name,
        json_schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties },
        supported_sync_modes: sync.incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
        source_defined_cursor: sync.incremental,
        ...(sync.cursorField ? { default_cursor_field: sync.cursorField } : {}),
        is_resumable: true,
      },
    ],
  };
}
