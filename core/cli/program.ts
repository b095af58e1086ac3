/**
 * The `dmpsync` command line. The only layer that writes to stdout or sets the exit code.
 * Logs go to stderr; in protocol commands stdout carries protocol messages only.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadPipeline } from '../config/load.js';
import { ConfigError, DmpsyncError, ExitCode, exitCodeFor } from '../errors.js';
import { createLogger, scrub } from '../log.js';
import type { Registry } from '../registry.js';
import type { RunReport } from '../runner/report.js';
import { parseShard } from '../runner/shard.js';
import { runPipeline } from '../runner/sync.js';
import { registerAirbyteCommands } from './airbyte.js';
import { progressPrinter } from './progress.js';
import { renderReport } from './render.js';
import { registerWriteCommand } from './write.js';

export interface CliDeps {
  registry: Registry;
  version: string;
  /** Extra commands contributed by connectors (emulator, status, segments...). */
  extensions?: ((program: Command, deps: CliDeps) => void)[];
}

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('dmpsync')
    .version(deps.version)
    .description('Sync audiences from CSV, PostgreSQL or Snowflake exports into LinkedIn Matched Audiences.')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  $ dmpsync plan --config pipeline.yaml          # dry run: what would be added and removed
  $ dmpsync sync --config pipeline.yaml --report report.json
  $ dmpsync emulator --port 8080                 # a local LinkedIn API for trying things out

Exit codes: 0 success, 1 failure, 2 configuration error, 3 completed with rejections,
4 refused by a guardrail, 130 interrupted (docs/exit-codes.md).`,
    );

  for (const dry of [false, true]) {
    program
      .command(dry ? 'plan' : 'sync')
      .description(
        dry
          ? 'Dry run: read, stage and diff, then print per-segment ADD/REMOVE counts, requests and time; sends nothing.'
          : 'Sync the source audience into the destination segments, sending only the difference.',
      )
      .requiredOption('-c, --config <file>', 'pipeline file (YAML or JSON)')
      .option('--report <file>', 'write the JSON run report to this file')
      .option('--rejects <file>', 'write rejected rows (row number, field, reason) as NDJSON')
      .option('--shard <i/n>', 'only the segments of worker i among n (e.g. 0/2)')
      .option('--allow-mass-removal', 'accept plans that remove more than the guardrails allow')
      .option('--from-start', 'events mode: read the source from the beginning, not from the saved state')
      .option('--json', 'print the JSON run report on stdout instead of the table')
      .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']))
      .addHelpText(
        'after',
        `
Example:
  $ dmpsync ${dry ? 'plan' : 'sync'} --config examples/pipeline.yaml${dry ? '' : ' --report run.json --rejects rejects.ndjson'}`,
      )
      .action(async (opts) => {
        process.exitCode = await runCommand(deps, opts, dry);
      });
  }

  registerAirbyteCommands(program, deps);
  registerWriteCommand(program, deps);
  for (const ext of deps.extensions ?? []) ext(program, deps);
  return program;
}

interface RunFlags {
  config: string;
  report?: string;
  rejects?: string;
  shard?: string;
  allowMassRemoval?: boolean;
  fromStart?: boolean;
  json?: boolean;
  logLevel?: string;
}

async function runCommand(deps: CliDeps, flags: RunFlags, dryRun: boolean): Promise<number> {
  let logger = createLogger({ level: flags.logLevel });
  try {
    const pipeline = loadPipeline(flags.config, deps.registry);
    logger = createLogger({ level: flags.logLevel, secrets: pipeline.secrets });
    const controller = new AbortController();
    const stop = (sig: string) => {
      if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
      logger.warn(`${sig} received: finishing in-flight batches, then stopping (send again to exit at once)`);
      controller.abort();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    const progress = progressPrinter();
    const report = await runPipeline({
      pipeline,
      dryRun,
      logger,
      signal: controller.signal,
      shard: flags.shard ? parseShard(flags.shard) : undefined,
      allowMassRemoval: flags.allowMassRemoval,
      fromStart: flags.fromStart,
      rejectsPath: flags.rejects,
      onProgress: (c) => progress.update(c),
    });
    progress.done();
    emitReport(report, flags);
    return report.exitCode;
  } catch (err) {
    return fail(err);
  }
}

function emitReport(report: RunReport, flags: RunFlags): void {
  if (flags.report) writeFileSync(flags.report, `${JSON.stringify(report, null, 2)}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${renderReport(report)}\n`);
}

/** Prints a one-line error (never a stack trace for user errors) and returns the exit code. */
export function fail(err: unknown): number {
  const msg = scrub(err instanceof Error ? err.message : String(err));
  if (err instanceof ConfigError) console.error(`configuration error: ${msg}`);
  else if (err instanceof DmpsyncError) console.error(`error: ${msg}`);
  else
    console.error(
      `unexpected error: ${msg}${err instanceof Error && err.stack ? `\n${scrub(err.stack)}` : ''}`,
    );
  return exitCodeFor(err);
}
