/** Human-readable plan and run report for the terminal (stderr or stdout as the caller chooses). */
import type { RunReport, SegmentReport } from '../runner/report.js';

const n = (x: number) => x.toLocaleString('en-US');

export function renderReport(r: RunReport): string {
  const lines: string[] = [];
  const title = r.dryRun ? 'PLAN (dry run: nothing was sent)' : 'RUN REPORT';
  lines.push(
    `${title}  run ${r.runId}  status ${r.status}  exit ${r.exitCode}  ${(r.durationMs / 1000).toFixed(1)}s`,
  );
  const c = r.rows;
  lines.push(
    `rows: read ${n(c.read)} = emitted ${n(c.emitted)} + rejected ${n(c.rejected)} + duplicate ${n(c.duplicate)}` +
      (c.balanced ? '' : '  (UNBALANCED: please report a bug)'),
  );
  for (const [reason, count] of top(c.rejectedByReason)) lines.push(`  rejected ${n(count)}  ${reason}`);
  for (const [note, count] of top(c.notes)) lines.push(`  note     ${n(count)}  ${note}`);
  const rc = r.rowCache;
  if (rc)
    lines.push(
      rc.used
        ? `row cache: ${n(rc.hits)} rows unchanged since the last complete run skipped the transforms`
        : `row cache: not used (${rc.unused ?? 'unknown'}); every row was transformed`,
    );
  lines.push('');
  lines.push(
    pad([
      'segment',
      'type',
      'remote id',
      'staged',
      'ADD',
      'REMOVE',
      'changed',
      'same',
      'requests',
      r.dryRun ? 'est. time' : 'acked',
      'rejected',
    ]),
  );
  for (const s of r.segments) lines.push(segmentRow(s, r.dryRun));
  for (const s of r.segments) {
    if (s.replayed.add + s.replayed.remove > 0)
      lines.push(
        `  ${s.key}: replayed ${s.replayed.add} ADD / ${s.replayed.remove} REMOVE left by an interrupted run`,
      );
    if (s.refused) lines.push(`  ${s.key}: REFUSED ${s.refused}`);
    for (const w of s.warnings) lines.push(`  ${s.key}: ${w}`);
    for (const [reason, count] of top(s.rejected.byReason))
      lines.push(`  ${s.key}: rejected by destination ${count}x ${reason}`);
  }
  if (!r.dryRun) {
    const t = r.totals;
    lines.push('');
    lines.push(
      `sent ${n(t.sent)} elements in ${n(t.requests)} requests (${t.retries} retries, ${t.throttled} throttled); acknowledged ${n(t.acknowledged)}, rejected ${n(t.rejected)}`,
    );
  }
  if (r.error) lines.push(`error (${r.error.failureType}): ${r.error.message}`);
  return lines.join('\n');
}

function segmentRow(s: SegmentReport, dryRun: boolean): string {
  const changed = s.planned.change;
  const requests = dryRun
    ? Math.ceil((s.planned.remove + changed) / 5000) + Math.ceil((s.planned.add + changed) / 5000)
    : s.requests;
  return pad([
    s.key,
    s.type,
    s.remoteId ?? '(new)',
    n(s.staged),
    n(s.planned.add),
    n(s.planned.remove),
    n(changed),
    n(s.planned.unchanged),
    n(requests),
    dryRun ? `${s.estimatedSeconds.toFixed(1)}s` : n(s.acknowledged.add + s.acknowledged.remove),
    n(s.rejected.count),
  ]);
}

const WIDTHS = [22, 8, 12, 9, 8, 8, 8, 9, 9, 10, 9];
function pad(cols: string[]): string {
  return cols.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join(' ');
}

function top(m: Record<string, number>, k = 10): [string, number][] {
  return Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}
