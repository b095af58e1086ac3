/**
 * `dmpsync write`: the Airbyte destination side. RECORDs on stdin become the source of an ordinary
 * run (same transforms, membership engine, checkpoint and journal as `dmpsync sync`). An
 * `overwrite` stream is the whole audience: mirror mode, diffed at end of stream. An `append` or
 * `append_dedup` stream is events: each record is an ADD, or a REMOVE when it carries a deletion
 * marker (`_ab_cdc_deleted_at`) or an action (the pipeline's `events` block), diffed against the
 * checkpoint so a later overwrite sync still sends only the true difference.
 *
 * STATE messages are echoed only after what precedes them is durably committed. Mirror: the diff
 * is made at end of stream, so every STATE is held and echoed, in order, once the run has
 * succeeded; a failed run echoes none. Events: each STATE is a commit point: what came before it
 * is planned, sent and checkpointed, then the STATE is echoed at once. The platform resends from
 * the last echoed state and the replay converges (events and mirror diffs are idempotent).
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { type LoadedPipeline, loadPipeline, readConfigFile } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { defineSource, type SourceDefinition } from '../plugin.js';
import { logMessage, traceError } from '../protocol/builders.js';
import { type AirbyteStateMessage, ConfiguredAirbyteCatalog } from '../protocol/models.js';
import { type NdjsonWriter, type ParsedMessage, parseMessages } from '../protocol/ndjson.js';
import { mergeRegistries, type Registry } from '../registry.js';
import type { RunReport } from './report.js';
import { runPipeline } from './sync.js';

export const STDIN_SOURCE = 'airbyte-stdin';

export interface WriteOptions {
  configFile: string;
  catalogFile: string;
  registry: Registry;
  input: Readable;
  out: NdjsonWriter;
  /** Builds the run's logger once the config's secrets are known (they are masked in every line). */
  loggerFor: (secrets: string[]) => Logger;
  signal: AbortSignal;
  env?: Record<string, string | undefined>;
}

export interface WriteResult {
  exitCode: number;
  report: RunReport;
  /** STATE messages echoed. */
  echoed: number;
}

/** STATE messages in arrival order, each with the records of its stream received since the previous one. */
export class StateLedger {
  private readonly pending: { state: AirbyteStateMessage; recordCount: number }[] = [];
  private readonly sinceState = new Map<string, number>();
  private total = 0;

  record(stream: string): void {
    this.sinceState.set(stream, (this.sinceState.get(stream) ?? 0) + 1);
    this.total++;
  }

  state(state: AirbyteStateMessage): void {
    const name = state.type === 'STREAM' ? state.stream?.stream_descriptor.name : undefined;
    let recordCount: number;
    if (name !== undefined) {
      recordCount = this.sinceState.get(name) ?? 0;
      this.total -= recordCount;
      this.sinceState.set(name, 0);
    } else {
      // GLOBAL (or LEGACY) state covers every stream.
      recordCount = this.total;
      this.total = 0;
      this.sinceState.clear();
    }
    this.pending.push({ state, recordCount });
  }

  /**
   * The first `count` STATE messages received and not yet taken (all by default), in order, with
   * `destinationStats.recordCount` attached: take them once what precedes them is committed. The
   * source reads ahead of the runner, so later STATEs may already be here: take only yours.
   */
  take(count = this.pending.length): { type: 'STATE'; state: AirbyteStateMessage }[] {
    return this.pending.splice(0, count).map((p) => ({
      type: 'STATE',
      state: { ...p.state, destinationStats: { ...p.state.destinationStats, recordCount: p.recordCount } },
    }));
  }
}

/** A source reading the RECORDs of one stream from stdin; STATEs go to the ledger, the rest is logged or ignored. */
export function stdinSource(
  messages: AsyncIterable<ParsedMessage>,
  stream: string,
  ledger: StateLedger,
  out: NdjsonWriter,
): SourceDefinition {
  return defineSource({
    name: STDIN_SOURCE,
    version: '1.0.0',
    description: 'The RECORD messages of `dmpsync write` (stdin).',
    config: z.object({}),
    async check() {},
    async discover() {
      return {
        streams: [{ name: stream, json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh'] }],
      };
    },
    async *read() {
      let row = 0;
      let dropped = 0;
      for await (const m of messages) {
        if (m.error !== undefined || !m.message) {
          // Unwrapped or unknown lines are dropped, never fatal (protocol invariant); said once per line.
          dropped++;
          await out.write(logMessage('WARN', `stdin line ${m.line} dropped: ${m.error ?? 'not a message'}`));
          continue;
        }
        const msg = m.message;
        if (msg.type === 'RECORD') {
          if (msg.record.stream !== stream)
            throw new ConfigError(`RECORD for stream "${msg.record.stream}" which is not in the catalog`, {
              fix: `configure one stream, "${stream}", per pipeline`,
            });
          ledger.record(msg.record.stream);
          yield { type: 'record', stream, data: msg.record.data, row: ++row };
        } else if (msg.type === 'STATE') {
          ledger.state(msg.state);
          // A commit point for events mode (the runner plans and sends what came before it).
          yield { type: 'state', stream, state: { ...(msg.state as Record<string, unknown>) } };
        }
        // TRACE (stream status), LOG and CONTROL from upstream carry nothing we act on.
      }
      if (dropped > 0)
        await out.write(logMessage('WARN', `${dropped} stdin line(s) were not Airbyte messages`));
    },
  });
}

/** The catalog's one stream and the mode its destination_sync_mode means. */
function streamOf(catalogFile: string): { stream: string; mode: 'mirror' | 'events' } {
  const parsed = ConfiguredAirbyteCatalog.safeParse(readConfigFile(catalogFile));
  if (!parsed.success)
    throw new ConfigError(`not a configured catalog: ${parsed.error.issues[0]?.message}`, {
      file: catalogFile,
    });
  const streams = parsed.data.streams;
  if (streams.length !== 1)
    throw new ConfigError(`the catalog has ${streams.length} streams; write takes exactly one`, {
      file: catalogFile,
      fix: 'one connection (one pipeline) per audience stream',
    });
  const s = streams[0]!;
  const mode = WRITE_MODES[s.destination_sync_mode];
  if (!mode)
    throw new ConfigError(
      `stream "${s.stream.name}": destination_sync_mode ${s.destination_sync_mode} is not supported`,
      {
        file: catalogFile,
        fix: 'use overwrite (the stream is the whole audience) or append / append_dedup (events)',
      },
    );
  return { stream: s.stream.name, mode };
}

export const WRITE_MODES: Partial<Record<string, 'mirror' | 'events'>> = {
  overwrite: 'mirror',
  append: 'events',
  append_dedup: 'events',
};

/** A `write` config: a pipeline file without `source`, read with `source` standing for stdin. */
export function loadWritePipeline(
  configFile: string,
  registry: Registry,
  source: SourceDefinition,
  env: Record<string, string | undefined>,
): LoadedPipeline {
  const pipeline = loadPipeline(configFile, mergeRegistries(registry, { sources: [source] }), env, {
    source: { type: STDIN_SOURCE },
  });
  if (pipeline.source.def !== source)
    throw new ConfigError('write reads its records from stdin', {
      file: pipeline.file,
      keyPath: 'source',
      fix: 'remove `source` from the config',
    });
  return pipeline;
}

export async function runAirbyteWrite(o: WriteOptions): Promise<WriteResult> {
  const { stream, mode } = streamOf(o.catalogFile);
  const ledger = new StateLedger();
  const source = stdinSource(parseMessages(o.input), stream, ledger, o.out);
  const pipeline = loadWritePipeline(o.configFile, o.registry, source, o.env ?? process.env);
  // The stream's destination_sync_mode decides: the platform, not the file, knows what it sends.
  pipeline.config.mode = mode;
  let echoed = 0;
  const echo = async (count?: number) => {
    for (const s of ledger.take(count)) {
      await o.out.write(s);
      echoed++;
    }
  };
  const report = await runPipeline({
    pipeline,
    logger: o.loggerFor(pipeline.secrets),
    signal: o.signal,
    // Resuming is the platform's job (it resends from the last echoed STATE).
    fromStart: true,
    // Events: every STATE is a commit point, echoed as soon as what precedes it is checkpointed
    // (state items reach the runner in ledger order, one at a time).
    onStateCommitted: () => echo(1),
  });
  if (report.status === 'succeeded' || report.status === 'completed_with_rejections') {
    // Everything before each STATE is now sent, acknowledged (or permanently rejected) and checkpointed.
    await echo();
    if (report.rows.rejected > 0 || report.totals.rejected > 0)
      await o.out.write(
        logMessage(
          'WARN',
          `${report.rows.rejected} record(s) rejected before sending, ${report.totals.rejected} element(s) rejected by the destination (see the run report)`,
        ),
      );
    return { exitCode: 0, report, echoed };
  }
  const message =
    report.error?.message ??
    `run ${report.status}: ${report.segments
      .filter((s) => s.refused)
      .map((s) => `${s.key}: ${s.refused}`)
      .join('; ')}`;
  const failureType =
    report.error?.failureType ?? (report.status === 'refused' ? 'config_error' : 'system_error');
  await o.out.write(traceError(message, failureType));
  return { exitCode: report.exitCode, report, echoed };
}
