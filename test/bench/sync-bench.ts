/**
 * One sync-bench measurement per process, so peak RSS is this run's own:
 *
 *   tsx test/bench/sync-bench.ts <sync|read> <pipeline.yaml>
 *
 * `sync` runs the whole pipeline (read, stage, diff, send); `read` is the read-only pass over the
 * same file (source + transforms, no state store, no network) that the incremental sync is
 * compared with. Prints one JSON line: {mode, rows, seconds, rowsPerSec, peakRssMb, ...}.
 */
import { builtinRegistry } from '../../connectors/index.js';
import { loadPipeline } from '../../core/config/load.js';
import { isRejection, type PipelineRow } from '../../core/plugin.js';
import { runPipeline } from '../../core/runner/sync.js';
import { sourceBatches } from '../../core/source-batches.js';
import { benchContext, printResult } from './source-modes.js';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'sync' && mode !== 'read') || !file) {
  console.error('usage: tsx test/bench/sync-bench.ts <sync|read> <pipeline.yaml>');
  process.exit(2);
}
const pipeline = loadPipeline(file, builtinRegistry);
const started = performance.now();
let extra: Record<string, unknown> = {};
let rows = 0;
if (mode === 'sync') {
  const report = await runPipeline({ pipeline, allowMassRemoval: true });
  rows = report.rows.read;
  extra = {
    exitCode: report.exitCode,
    requests: report.totals.requests,
    throttled: report.totals.throttled,
    sent: report.totals.sent,
    acknowledged: report.totals.acknowledged,
    balanced: report.rows.balanced,
    error: report.error?.message,
    sendSeconds: report.segments.reduce((a, s) => a + s.durationMs, 0) / 1000,
    rowCacheHits: report.rowCache?.hits ?? 0,
  };
} else {
  const ctx = benchContext(pipeline.baseDir);
  const chain = pipeline.transforms.map((t) => t.def.create(t.config, ctx));
  let kept = 0;
  // The runner's own way of reading (batches), so the two passes differ only by the state store.
  for await (const batch of sourceBatches(pipeline.source.def, pipeline.source.config, ctx, {})) {
    for (const item of batch) {
      if (item.type !== 'record') continue;
      rows++;
      let row: PipelineRow = { data: item.data, row: item.row };
      let ok = true;
      for (const fn of chain) {
        const r = fn(row);
        if (isRejection(r)) {
          if (!r.field) ok = false;
          continue;
        }
        row = r;
      }
      if (ok && row.member) kept++;
    }
  }
  extra = { kept };
}
printResult(mode, rows, started, extra);
