/**
 * Reads the state file front to back into the OS page cache while the run reads its source, so
 * the plan and the acknowledgements that follow find the checkpoint's pages in memory instead of
 * waiting on a random disk read per page. The row cache files go first: the source read reads its
 * cache from the start, synchronously. A nightly run starts with a cold file: measured at 1M
 * members (an 813 MB file), the incremental sync's sends took 0.85 s cold against 0.37-0.40 s warm
 * (docs/checkpoint.md). Best effort: an error only ends it.
 *
 * The descriptors stay open until `close`, which the store calls after its SQLite connections
 * are closed: closing any descriptor of a database file drops every POSIX lock this process holds
 * on it, SQLite's included (https://sqlite.org/howtocorrupt.html, section 2.2).
 */
import { close, fstat, open, read } from 'node:fs';
import { freemem } from 'node:os';
import { promisify } from 'node:util';

/**
 * Measured on a cold 813 MB file during a 1M-row sync: 512 KB reads left the source read as fast as
 * without prewarm (1.36-1.57 s), where 1-4 MB reads slowed it by up to 0.4 s and 128 KB were slower.
 */
const CHUNK = 512 << 10;
const openP = promisify(open);
const fstatP = promisify(fstat);
const readP = promisify(read);
const closeP = promisify(close);

export class Prewarm {
  private readonly fds: number[] = [];
  private stopped = false;
  /** Bytes read so far, over all files. */
  bytes = 0;
  /** Bytes read, once every file is read, the limit reached, `stop` called, or a read failed. */
  readonly done: Promise<number>;

  /**
   * Reads `paths` one after the other, in order. `limit`: read at most this much in all (default:
   * half the memory available: `memoryBudget`). A file that cannot be opened or read ends the prewarm.
   */
  constructor(paths: string[], limit = memoryBudget() / 2) {
    this.done = this.run(paths, limit).then(
      () => this.bytes,
      () => this.bytes,
    );
  }

  private async run(paths: string[], limit: number): Promise<void> {
    // One buffer, one read in flight: the pages land in the OS cache; the bytes are thrown away.
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const path of paths) {
      if (this.stopped) return;
      const fd = await openP(path, 'r');
      this.fds.push(fd);
      const size = (await fstatP(fd)).size;
      for (let at = 0; !this.stopped && at < size && this.bytes < limit; ) {
        const want = Math.min(CHUNK, size - at, limit - this.bytes);
        const { bytesRead: n } = await readP(fd, buf, 0, want, at);
        if (n === 0) break;
        at += n;
        this.bytes += n;
      }
    }
  }

  /** Stops after the read in flight; resolves once no read is in flight. */
  async stop(): Promise<number> {
    this.stopped = true;
    return this.done;
  }

  /** Stops, then closes the descriptors. Call only after this process's connections to the files are closed. */
  async close(): Promise<void> {
    await this.stop();
    for (const fd of this.fds.splice(0)) await closeP(fd).catch(() => undefined);
  }
}

/** Memory the OS has available, or a container's memory limit when that is lower (cgroups). */
export function memoryBudget(): number {
  const limit = process.constrainedMemory?.() ?? 0; // 0: no known limit; a huge value: none set
  return limit > 0 ? Math.min(freemem(), limit) : freemem();
}
