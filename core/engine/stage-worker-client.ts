/**
 * Main-thread handle on the SQLite staging worker. Under tsx (sources run directly) the worker is
 * started through a tiny bootstrap that registers tsx first; the built package starts the .js file.
 */
import { Worker } from 'node:worker_threads';
import { SystemError } from '../errors.js';
import type { StageCall, StageReply } from './sqlite-stage-worker.js';

export class StageWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | undefined;
  private readonly ready: Promise<unknown>;

  constructor(path: string) {
    this.worker = new Worker(entryUrl(), { workerData: { path } });
    this.ready = new Promise((resolve, reject) => this.waiting.set(0, { resolve, reject }));
    this.worker.on('message', (r: StageReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.value);
      else w.reject(new Error(r.message));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`staging worker exited (code ${code})`)));
  }

  private fail(err: Error): void {
    this.failed ??= new SystemError(`the SQLite staging worker failed: ${err.message}`, { cause: err });
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(this.failed);
  }

  async call<T>(op: StageCall['op'], ...args: unknown[]): Promise<T> {
    await this.ready;
    if (this.failed) throw this.failed;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, args } satisfies StageCall);
    });
  }

  /**
   * Posts a call without waiting for its answer; a failure fails every later call (the worker's
   * staging would be out of step).
   */
  post(op: StageCall['op'], ...args: unknown[]): void {
    if (this.failed) return;
    const id = this.nextId++;
    this.waiting.set(id, { resolve: () => undefined, reject: (e) => this.fail(e) });
    this.worker.postMessage({ id, op, args } satisfies StageCall);
  }

  async close(): Promise<void> {
    if (!this.failed) await this.call('close').catch(() => undefined);
    this.failed ??= new Error('staging worker closed');
    await this.worker.terminate();
  }
}

function entryUrl(): URL {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new URL('./sqlite-stage-worker.js', self);
  // Sources run through tsx: the worker registers tsx before importing the TypeScript entry.
  const entry = new URL('./sqlite-stage-worker.ts', self).href;
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
