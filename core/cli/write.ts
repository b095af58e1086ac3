/**
 * `dmpsync write --config C --catalog K`: the Airbyte destination command (core/runner/airbyte-write.ts).
 * stdout carries protocol messages only (echoed STATEs, LOG, TRACE); logs go to stderr.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode, exitCodeFor, failureTypeOf } from '../errors.js';
import { createLogger, scrub } from '../log.js';
import { traceError } from '../protocol/builders.js';
import { NdjsonWriter } from '../protocol/ndjson.js';
import { runAirbyteWrite } from '../runner/airbyte-write.js';
import type { CliDeps } from './program.js';

export function registerWriteCommand(program: Command, deps: CliDeps): void {
  program
    .command('write')
    .description(
      'Airbyte destination: sync the RECORDs on stdin (one overwrite stream) and echo STATE messages once committed.',
    )
    .requiredOption('-c, --config <file>', 'pipeline file without `source` (JSON or YAML)')
    .requiredOption('--catalog <file>', 'configured catalog (JSON) with one overwrite stream')
    .option('--report <file>', 'write the JSON run report to this file')
    .addHelpText(
      'after',
      '\nExample:\n  $ dmpsync read --config src.yaml --catalog cat.json | dmpsync write --config dest.json --catalog cat.json',
    )
    .action(async (opts: { config: string; catalog: string; report?: string }) => {
      const out = new NdjsonWriter(process.stdout);
      const controller = new AbortController();
      const stop = () => {
        if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
        controller.abort();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      try {
        const r = await runAirbyteWrite({
          configFile: opts.config,
          catalogFile: opts.catalog,
          registry: deps.registry,
          input: process.stdin,
          out,
          loggerFor: (secrets) => createLogger({ secrets }),
          signal: controller.signal,
        });
        if (opts.report) writeFileSync(opts.report, `${JSON.stringify(r.report, null, 2)}\n`);
        process.exitCode = r.exitCode;
      } catch (err) {
        const message = scrub(err instanceof Error ? err.message : String(err));
        await out.write(traceError(message, failureTypeOf(err)));
        process.exitCode = exitCodeFor(err);
      }
    });
}
