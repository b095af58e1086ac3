/**
 * LinkedIn-specific commands contributed to the `dmpsync` CLI: status, segments, emulator.
 * Only this file and core/cli write to stdout.
 */
import type { Command } from 'commander';
import type { CliDeps } from '../../core/cli/program.js';
import { fail } from '../../core/cli/program.js';
import { loadPipeline } from '../../core/config/load.js';
import { openStore } from '../../core/engine/open-store.js';
import { ConfigError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import type { LinkedInDmpConfig } from './config.js';
import { connect } from './connect.js';
import { EMULATOR_USAGE } from './emulator/cli-args.js';
import { runEmulatorMain } from './emulator/main.js';
import { MIN_AUDIENCE, readStatus } from './status.js';

export function registerLinkedinCommands(program: Command, deps: CliDeps): void {
  program
    .command('status')
    .description(
      "Each segment's LinkedIn destination status, audienceSize, matchedCount and last run, with warnings.",
    )
    .requiredOption('-c, --config <file>', 'pipeline file')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ dmpsync status --config pipeline.yaml')
    .action(async (opts: { config: string; json?: boolean }) => {
      try {
        const { pipeline, config, client } = open(opts.config, deps);
        const statuses = await readStatus(client, config);
        const store = await openStore(pipeline.config.state, pipeline.baseDir);
        const rows = [];
        for (const s of statuses) {
          const local = await store.getSegment(s.sourceSegmentId);
          const members = await store.checkpointCount(s.sourceSegmentId);
          // LinkedIn reports audienceSize only when READY; the checkpoint tells the size at any time.
          if (s.found && s.audienceSize === undefined && members < MIN_AUDIENCE) {
            s.warnings.push(
              `${members} members in the checkpoint: under ${MIN_AUDIENCE}, too small to serve`,
            );
          }
          rows.push({
            ...s,
            checkpointMembers: members,
            lastRunAt: local?.lastRunAt ?? null,
            lastRunStatus: local?.lastRunStatus ?? null,
          });
        }
        await store.close();
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else {
          for (const r of rows) {
            const rate =
              r.matchedCount !== undefined && r.checkpointMembers
                ? ` match rate ${((100 * r.matchedCount) / r.checkpointMembers).toFixed(0)}%`
                : '';
            console.log(
              `${r.sourceSegmentId.padEnd(22)} ${r.type.padEnd(8)} ${(r.remoteId ?? '-').padStart(10)} ${(r.status ?? '-').padEnd(9)} ` +
                `audience ${r.audienceSize ?? '-'} matched ${r.matchedCount ?? '-'} checkpoint ${r.checkpointMembers}${rate} ` +
                `last run ${r.lastRunAt ? new Date(r.lastRunAt).toISOString() : 'never'} ${r.lastRunStatus ?? ''}`,
            );
            for (const w of r.warnings) console.log(`  warning: ${w}`);
          }
        }
      } catch (err) {
        process.exitCode = fail(err);
      }
    });

  const segments = program
    .command('segments')
    .description('Inspect and manage the DMP segments of the ad account.');
  segments
    .command('list')
    .description("List the account's DMP segments for this sourcePlatform.")
    .requiredOption('-c, --config <file>', 'pipeline file')
    .addHelpText('after', '\nExample:\n  $ dmpsync segments list --config pipeline.yaml')
    .action(async (opts: { config: string }) => {
      await guarded(async () => {
        const { config, client } = open(opts.config, deps);
        const all = await client.findAllByAccount({
          account: config.adAccount,
          sourcePlatform: config.sourcePlatform,
        });
        for (const s of all)
          console.log(
            `${String(s.id).padStart(10)}  ${String(s.type).padEnd(8)} ${String(s.sourceSegmentId ?? '-').padEnd(22)} ${s.name}`,
          );
      });
    });
  segments
    .command('get <id>')
    .description('Print one DMP segment as JSON.')
    .requiredOption('-c, --config <file>', 'pipeline file')
    .addHelpText('after', '\nExample:\n  $ dmpsync segments get 10804 --config pipeline.yaml')
    .action(async (id: string, opts: { config: string }) => {
      await guarded(async () => {
        const seg = await open(opts.config, deps).client.getSegment(id);
        if (!seg) throw new ConfigError(`segment ${id} not found`);
        console.log(JSON.stringify(seg, null, 2));
      });
    });
  segments
    .command('rename <id> <name>')
    .description('Rename a DMP segment (PARTIAL_UPDATE).')
    .requiredOption('-c, --config <file>', 'pipeline file')
    .addHelpText(
      'after',
      '\nExample:\n  $ dmpsync segments rename 10804 "Customers (EU)" --config pipeline.yaml',
    )
    .action(async (id: string, name: string, opts: { config: string }) => {
      await guarded(async () => {
        await open(opts.config, deps).client.updateSegment(id, { name });
        console.log(`renamed ${id}`);
      });
    });
  segments
    .command('delete <id>')
    .description(
      'Delete a DMP segment (cascades to its destinations and ad segment). The next sync re-creates a configured one.',
    )
    .requiredOption('-c, --config <file>', 'pipeline file')
    .option('--yes', 'confirm the deletion')
    .addHelpText('after', '\nExample:\n  $ dmpsync segments delete 10804 --config pipeline.yaml --yes')
    .action(async (id: string, opts: { config: string; yes?: boolean }) => {
      await guarded(async () => {
        if (!opts.yes) throw new ConfigError('refusing to delete without --yes');
        const ok = await open(opts.config, deps).client.deleteSegment(id);
        console.log(ok ? `deleted ${id}` : `segment ${id} not found`);
      });
    });

  program
    .command('emulator')
    .description('Run the local LinkedIn DMP API emulator (for tests, demos and trying pipelines).')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .addHelpText(
      'after',
      `\n${EMULATOR_USAGE}\n\nExample:\n  $ dmpsync emulator --port 8080 --ready-delay-ms 0`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        await runEmulatorMain(cmd.args);
      } catch (err) {
        console.error(`${(err as Error).message}\n${EMULATOR_USAGE}`);
        process.exitCode = 2;
      }
    });
}

function open(file: string, deps: CliDeps) {
  const pipeline = loadPipeline(file, deps.registry);
  if (pipeline.destination.def.name !== 'linkedin-dmp') {
    throw new ConfigError('this command needs a linkedin-dmp destination', {
      file,
      keyPath: 'destination.type',
    });
  }
  const config = pipeline.destination.config as LinkedInDmpConfig;
  const logger = createLogger({ secrets: pipeline.secrets });
  return { pipeline, config, client: connect(config, { logger }).client };
}

async function guarded(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    process.exitCode = fail(err);
  }
}
