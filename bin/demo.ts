/**
 * `npm start`: a real sync of the bundled sample audience into the local LinkedIn emulator, with the
 * embedded SQLite store. Syncs the sample, then a changed copy, and shows that only the difference
 * went over the wire. No network, no set-up.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtinRegistry } from '../connectors/index.js';
import { startEmulator } from '../connectors/linkedin-dmp/emulator/index.js';
import { renderReport } from '../core/cli/render.js';
import { loadPipeline } from '../core/config/load.js';
import { createLogger } from '../core/log.js';
import { runPipeline } from '../core/runner/sync.js';

const root = resolve(import.meta.dirname, '..');
const stateDir = join(root, '.dmpsync', 'demo');
rmSync(stateDir, { recursive: true, force: true });

const emulator = await startEmulator({
  segmentReadyDelayMs: 1000,
  buildingToReadyMs: 1500,
  updatingToReadyMs: 500,
});
const env = {
  ...process.env,
  LINKEDIN_BASE_URL: emulator.restUrl,
  LINKEDIN_OAUTH_URL: emulator.oauthUrl,
  LINKEDIN_ACCESS_TOKEN: 'demo-access-token',
  CREATE_WAIT_MS: '1000',
  DMPSYNC_STATE: join(stateDir, 'state.db'),
  REJECTS_FILE: join(stateDir, 'rejects.ndjson'),
};
const logger = createLogger({
  level: process.env.DMPSYNC_LOG_LEVEL ?? 'warn',
  secrets: [env.LINKEDIN_ACCESS_TOKEN],
});
const out = (s = '') => process.stdout.write(`${s}\n`);

out(`LinkedIn emulator listening on ${emulator.url} (state: ${stateDir})`);
let exitCode = 0;
const steps = [
  ['1. The sample audience (examples/sample/audience.csv)', 'audience.csv'],
  ['2. The same audience a day later: ~5% churn (audience-changed.csv)', 'audience-changed.csv'],
] as const;
for (const [title, csv] of steps) {
  const pipeline = loadPipeline(join(root, 'examples/pipeline.yaml'), builtinRegistry, {
    ...env,
    SAMPLE_CSV: `./sample/${csv}`,
  });
  out(`\n=== ${title}\n`);
  const plan = await runPipeline({ pipeline, dryRun: true, logger });
  out(renderReport(plan));
  emulator.resetStats();
  out('');
  const report = await runPipeline({ pipeline, logger });
  out(renderReport(report));
  const s = emulator.stats();
  out(
    `\nat the emulator: ${s.elements.added} elements added, ${s.elements.removed} removed, ${s.elements.rejected} rejected`,
  );
  exitCode = Math.max(exitCode, report.exitCode === 3 ? 0 : report.exitCode);
}

out('\n=== 3. What LinkedIn holds now\n');
for (const seg of emulator.segments()) {
  out(
    `${String(seg.sourceSegmentId).padEnd(18)} ${seg.type.padEnd(8)} id ${seg.id}  members ${seg.memberCount}  status ${seg.status}`,
  );
}
out(`\nRejected rows (row number, field, reason; no raw values): ${env.REJECTS_FILE}`);
await emulator.close();
process.exitCode = exitCode;
