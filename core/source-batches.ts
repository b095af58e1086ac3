/**
 * Reading a source in batches. A per-item async generator costs one `yield` and one promise per
 * row, which at a million rows is a large share of a source's time (docs/benchmarks.md); the
 * optional `readBatches` of a source yields the same items, in the same order, in arrays.
 *
 * - `sourceBatches` is what consumers (the runner, benches) iterate: `readBatches` when the source
 *   has it, else `read`'s items grouped, so a plugin that only implements `read` works unchanged.
 * - `flattenBatches` turns batches back into items: built-in sources derive `read` from their one
 *   `readBatches` implementation with it.
 * - `readFileRows` is the file/row state loop the file-based sources (csv, snowflake-json) share.
 */
import type { PluginContext, ReadOptions, SourceDefinition, SourceItem } from './plugin.js';

/** Most items `sourceBatches` groups from a plain `read` before handing them on. */
export const GROUP_ITEMS = 2048;

/** The source's items in arrays (never empty), same order and states as `read`. */
export function sourceBatches<D extends SourceDefinition>(
  def: D,
  config: Parameters<D['read']>[0],
  ctx: PluginContext,
  options: ReadOptions,
): AsyncIterable<SourceItem[]> {
  if (def.readBatches) return def.readBatches(config, ctx, options);
  return groupItems(def.read(config, ctx, options), GROUP_ITEMS);
}

/** Groups items in arrays of up to `max`. */
export async function* groupItems(
  items: AsyncIterable<SourceItem>,
  max: number,
): AsyncGenerator<SourceItem[]> {
  let batch: SourceItem[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= max) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** One item at a time, from batches: `read` of a source that implements `readBatches`. */
export async function* flattenBatches(batches: AsyncIterable<SourceItem[]>): AsyncGenerator<SourceItem> {
  for await (const batch of batches) {
    for (const item of batch) yield item;
  }
}

// ---------------------------------------------------------------- file/row state

/**
 * Resumable state of a file-based source: `row` data rows of `file` are handled (files before it
 * are done); `done` marks a finished file, so a resume skips it unopened.
 */
export interface FileRowState {
  file: string;
  row: number;
  done?: boolean;
}

export interface FileRowsPlan<F extends { name: string }, E> {
  stream: string;
  /** Files still to read, in order (files a resume state marks done already left out). */
  files: F[];
  /** The state to resume from, if any. */
  start: FileRowState | undefined;
  /** A state after every `stateEvery` rows (held until the next row, so the end-of-file state never repeats it). */
  stateEvery: number;
  signal: AbortSignal;
  interrupted: () => Error;
  /** The file's parsed rows, in batches: one event per data row (record or malformed). */
  events: (file: F) => AsyncIterable<E[]>;
  /** Turns one event into its item (a record or a malformed line), appended to `out`. */
  emit: (event: E, row: number, file: F, out: SourceItem[]) => void;
}

/**
 * The file/row state loop: numbers rows per file (1-based, header excluded), skips the rows the
 * start state covers, interleaves `{ file, row }` states every `stateEvery` rows and a
 * `{ file, row, done: true }` state at the end of each file, and repeats the start state when
 * there is nothing left to read (every read ends with a state).
 */
export async function* readFileRows<F extends { name: string }, E>(
  plan: FileRowsPlan<F, E>,
): AsyncGenerator<SourceItem[]> {
  const { stream, start, stateEvery, emit } = plan;
  for (const file of plan.files) {
    if (plan.signal.aborted) throw plan.interrupted();
    const name = file.name;
    const skip = start && start.file === name && !start.done ? start.row : 0;
    let row = 0;
    let sinceState = 0;
    let stateDue = false;
    for await (const events of plan.events(file)) {
      if (plan.signal.aborted) throw plan.interrupted();
      const out: SourceItem[] = [];
      let i = 0;
      const n = events.length;
      if (row < skip) {
        // Rows the start state covers: counted, not emitted.
        i = Math.min(n, skip - row);
        row += i;
      }
      for (; i < n; i++) {
        row++;
        if (stateDue) {
          stateDue = false;
          out.push({ type: 'state', stream, state: { file: name, row: row - 1 } });
        }
        emit(events[i] as E, row, file, out);
        if (++sinceState >= stateEvery) {
          sinceState = 0;
          stateDue = true;
        }
      }
      if (out.length > 0) yield out;
    }
    yield [{ type: 'state', stream, state: { file: name, row: Math.max(row, skip), done: true } }];
  }
  if (plan.files.length === 0 && start) yield [{ type: 'state', stream, state: { ...start } }];
}
