/**
 * The Airbyte protocol commands: spec, check, discover, read. stdout carries protocol messages
 * only, one per line; failures end with a TRACE ERROR and a non-zero exit code.
 */
import { type Command, Option } from 'commander';
import { destinationJsonSchema, pipelineJsonSchema } from '../config/json-schema.js';
import { loadPipeline, readConfigFile } from '../config/load.js';
import { ConfigError, exitCodeFor, failureTypeOf } from '../errors.js';
import { createLogger, scrub } from '../log.js';
import type { PluginContext } from '../plugin.js';
import {
  catalogMessage,
  connectionStatus,
  logMessage,
  recordMessage,
  specMessage,
  streamStateMessage,
  streamStatus,
  traceError,
} from '../protocol/builders.js';
import { ConfiguredAirbyteCatalog } from '../protocol/models.js';
import { NdjsonWriter } from '../protocol/ndjson.js';
import { specFromSchema } from '../protocol/spec.js';
import { loadWritePipeline, StateLedger, stdinSource } from '../runner/airbyte-write.js';
import type { CliDeps } from './program.js';

const DOCS = 'https://github.com/dmpsync/dmpsync/tree/main/docs';

export function registerAirbyteCommands(program: Command, deps: CliDeps): void {
  program
    .command('spec')
    .description('Print the SPEC message: the JSON Schema of the pipeline file (or of one connector).')
    .option('--connector <name>', 'print the spec of one plugin (e.g. csv, linkedin-dmp) instead')
    .addOption(roleOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ dmpsync spec --connector csv\n  $ dmpsync spec --role destination   # the config `dmpsync write` takes',
    )
    .action(async (opts: { connector?: string; role: Role }) => {
      await protocol(async (out) => {
        const all = [...deps.registry.sources, ...deps.registry.transforms, ...deps.registry.destinations];
        if (opts.connector) {
          const def = all.find((d) => d.name === opts.connector);
          if (!def)
            throw new ConfigError(`unknown connector "${opts.connector}"`, {
              fix: `use one of: ${all.map((d) => d.name).join(', ')}`,
            });
          await out.write(
            specMessage(
              specFromSchema(def.config, { documentationUrl: `${DOCS}/connectors/${def.name}.md` }),
            ),
          );
          return;
        }
        if (opts.role === 'destination') {
          await out.write(
            specMessage({
              documentationUrl: `${DOCS}/recipes/airbyte.md`,
              connectionSpecification: destinationJsonSchema(deps.registry),
              supported_destination_sync_modes: ['overwrite', 'append', 'append_dedup'],
            }),
          );
          return;
        }
        await out.write(
          specMessage({
            documentationUrl: `${DOCS}/configuration.md`,
            connectionSpecification: pipelineJsonSchema(deps.registry),
          }),
        );
      });
    });

  program
    .command('check')
    .description(
      'Prove the source can be read and the destination reached with this config (CONNECTION_STATUS).',
    )
    .requiredOption('-c, --config <file>', 'pipeline file (destination role: the config `write` takes)')
    .addOption(roleOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ dmpsync check --config pipeline.yaml\n  $ dmpsync check --role destination --config destination.json',
    )
    .action(async (opts: { config: string; role: Role }) => {
      await protocol(async (out) => {
        const destination = opts.role === 'destination';
        const p = destination
          ? loadWritePipeline(
              opts.config,
              deps.registry,
              stdinSource(noMessages(), 'check', new StateLedger(), out),
              process.env,
            )
          : loadPipeline(opts.config, deps.registry);
        const ctx = context(p.baseDir, p.secrets);
        try {
          if (!destination) await p.source.def.check(p.source.config, ctx);
          await p.destination.def.check(p.destination.config, ctx);
          await out.write(connectionStatus(true));
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          await out.write(connectionStatus(false, scrub(err.message)));
        }
      });
    });

  program
    .command('discover')
    .description("Print the source's CATALOG: its streams and their columns.")
    .requiredOption('-c, --config <file>', 'pipeline file')
    .addHelpText('after', '\nExample:\n  $ dmpsync discover --config pipeline.yaml')
    .action(async (opts: { config: string }) => {
      await protocol(async (out) => {
        const p = loadPipeline(opts.config, deps.registry);
        await out.write(
          catalogMessage(await p.source.def.discover(p.source.config, context(p.baseDir, p.secrets))),
        );
      });
    });

  program
    .command('read')
    .description('Read the source and print RECORD and STATE messages (Airbyte source protocol).')
    .requiredOption('-c, --config <file>', 'pipeline file')
    .requiredOption('--catalog <file>', 'configured catalog (JSON)')
    .option('--state <file>', 'state from an earlier read (JSON list of STATE messages)')
    .addHelpText(
      'after',
      '\nExample:\n  $ dmpsync read --config pipeline.yaml --catalog catalog.json > messages.ndjson',
    )
    .action(async (opts: { config: string; catalog: string; state?: string }) => {
      await protocol(async (out) => {
        const p = loadPipeline(opts.config, deps.registry);
        const parsed = ConfiguredAirbyteCatalog.safeParse(readConfigFile(opts.catalog));
        if (!parsed.success)
          throw new ConfigError(`not a configured catalog: ${parsed.error.issues[0]?.message}`, {
            file: opts.catalog,
          });
        const streams = parsed.data.streams.map((s) => s.stream.name);
        const state = opts.state ? statesByStream(readConfigFile(opts.state), opts.state) : undefined;
        const ctx = context(p.baseDir, p.secrets);
        const counts = new Map<string, number>();
        for (const s of streams) await out.write(streamStatus(s, 'STARTED'));
        for await (const item of p.source.def.read(p.source.config, ctx, { streams, state })) {
          if (item.type === 'record') {
            counts.set(item.stream, (counts.get(item.stream) ?? 0) + 1);
            await out.write(recordMessage(item.stream, item.data, Date.now()));
          } else if (item.type === 'state') {
            await out.write(streamStateMessage(item.stream, item.state, counts.get(item.stream) ?? 0));
            counts.set(item.stream, 0);
          } else {
            const where = `${item.file ?? item.stream} row ${item.row}${item.line ? ` (line ${item.line})` : ''}`;
            await out.write(logMessage('WARN', `skipped malformed row: ${where}: ${scrub(item.reason)}`));
          }
        }
        for (const s of streams) await out.write(streamStatus(s, 'COMPLETE'));
      });
    });
}

type Role = 'pipeline' | 'destination';

/** Which config spec/check speak of; the container registered with Airbyte sets DMPSYNC_AIRBYTE_ROLE. */
function roleOption(): Option {
  return new Option('--role <role>', 'pipeline: the whole pipeline file; destination: the config of `write`')
    .choices(['pipeline', 'destination'])
    .default(process.env.DMPSYNC_AIRBYTE_ROLE === 'destination' ? 'destination' : 'pipeline');
}

async function* noMessages(): AsyncGenerator<never> {}

function context(baseDir: string, secrets: string[]): PluginContext {
  return { logger: createLogger({ secrets }), signal: new AbortController().signal, baseDir, now: Date.now };
}

function statesByStream(raw: unknown, file: string): Record<string, Record<string, unknown>> {
  const list = Array.isArray(raw) ? raw : [raw];
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of list) {
    const st = (m as { state?: unknown }).state ?? m;
    const s = st as {
      type?: string;
      stream?: { stream_descriptor?: { name?: string }; stream_state?: unknown };
    };
    const name = s.stream?.stream_descriptor?.name;
    if (s.type !== 'STREAM' || !name)
      throw new ConfigError('expected a list of per-stream STATE messages', { file });
    out[name] = (s.stream?.stream_state ?? {}) as Record<string, unknown>;
  }
  return out;
}

/** Runs a protocol command: errors become a TRACE ERROR on stdout and the matching exit code. */
async function protocol(body: (out: NdjsonWriter) => Promise<void>): Promise<void> {
  const out = new NdjsonWriter(process.stdout);
  try {
    await body(out);
  } catch (err) {
    const message = scrub(err instanceof Error ? err.message : String(err));
    await out.write(
      traceError(message, failureTypeOf(err), err instanceof Error ? scrub(err.stack ?? '') : undefined),
    );
    process.exitCode = exitCodeFor(err);
  }
}
