/** A single self-overwriting progress line on a TTY: rows, rows/s, rejected. Silent elsewhere. */
import type { RowCounts } from '../runner/accounting.js';

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr, now = Date.now) {
  const started = now();
  const enabled = Boolean(stream.isTTY);
  return {
    update(c: RowCounts) {
      if (!enabled) return;
      const secs = Math.max((now() - started) / 1000, 0.001);
      stream.write(
        `\r  read ${c.read.toLocaleString('en-US')} rows  ${Math.round(c.read / secs).toLocaleString('en-US')} rows/s  rejected ${c.rejected.toLocaleString('en-US')}   `,
      );
    },
    done() {
      if (enabled) stream.write('\n');
    },
  };
}
