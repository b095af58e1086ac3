/**
 * Newline-delimited JSON in and out. The reader never throws on bad input: a line that is not
 * JSON, or not a protocol message, is reported with its line number so the caller decides (the
 * protocol says unknown or unwrapped lines are dropped or logged, never fatal). The writer awaits
 * `drain` so a slow consumer (a pipe to the platform) bounds our memory.
 */

import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AIRBYTE_MESSAGE_TYPES, AirbyteMessage } from './models.js';

export interface NdjsonLine {
  /** 1-based physical line number. */
  line: number;
  value?: unknown;
  error?: string;
}

export interface ParsedMessage {
  line: number;
  message?: AirbyteMessage;
  error?: string;
}

/** Yields one entry per non-blank line. Accepts Buffer or string chunks; CRLF and a final line without newline are fine. */
export async function* readNdjson(input: Readable): AsyncIterable<NdjsonLine> {
  const decoder = new StringDecoder('utf8');
  // Pieces of the current, unfinished line: joined once at its newline, so a very long line costs O(n).
  let pending: string[] = [];
  let line = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      line++;
      const head = text.slice(start, nl);
      const full = pending.length ? pending.join('') + head : head;
      pending = [];
      const entry = parseLine(full, line);
      if (entry) yield entry;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  const rest = pending.join('') + decoder.end();
  if (rest.length > 0) {
    const entry = parseLine(rest, line + 1);
    if (entry) yield entry;
  }
}

function parseLine(raw: string, line: number): NdjsonLine | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return undefined;
  try {
    return { line, value: JSON.parse(text) };
  } catch (err) {
    return { line, error: `invalid JSON: ${jsonErrorReason(err)}` };
  }
}

/** V8 quotes a slice of the input in JSON.parse errors; drop it, since the input may hold raw emails. */
function jsonErrorReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/,?\s*(?:\.\.\.)?".*"(?:\.\.\.)?\s*is not valid JSON/s, '').trim() || 'unparseable';
}

const KNOWN_TYPES = new Set<string>(AIRBYTE_MESSAGE_TYPES);

/**
 * Validates each line as an AirbyteMessage: strict on `type` (an unknown type is reported, not
 * guessed at), tolerant on fields (unknown ones pass through). Issue texts carry paths, not values.
 */
export async function* parseMessages(input: Readable): AsyncIterable<ParsedMessage> {
  for await (const entry of readNdjson(input)) {
    if (entry.error !== undefined) {
      yield { line: entry.line, error: entry.error };
      continue;
    }
    const value = entry.value;
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
      const shown =
        typeof type === 'string' ? `unknown message type ${JSON.stringify(type.slice(0, 40))}` : 'no `type`';
      yield { line: entry.line, error: `not an Airbyte message: ${shown}` };
      continue;
    }
    const parsed = AirbyteMessage.safeParse(value);
    if (parsed.success) yield { line: entry.line, message: parsed.data };
    else yield { line: entry.line, error: `invalid ${type} message: ${describeIssues(parsed.error.issues)}` };
  }
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Writes one JSON object per line, honouring backpressure. Not safe for concurrent `write` calls without awaiting. */
export class NdjsonWriter {
  private closed = false;
  constructor(private readonly out: Writable) {}

  async write(message: unknown): Promise<void> {
    if (this.closed) throw new Error('NdjsonWriter: write after close');
    if (this.out.destroyed) throw new Error('NdjsonWriter: output stream is destroyed');
    const ok = this.out.write(`${JSON.stringify(message)}\n`);
    if (!ok) await waitFor(this.out, 'drain');
  }

  /**
   * Flushes and ends the stream. With `{ end: false }` (e.g. for process.stdout, which the runner
   * may still need) it only waits until everything written so far has been handed off.
   */
  async close(options: { end?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (options.end === false) {
      if (this.out.writableNeedDrain) await waitFor(this.out, 'drain');
      return;
    }
    if (this.out.writableFinished) return;
    if (this.out.destroyed) throw new Error('NdjsonWriter: output stream is destroyed');
    const finished = waitFor(this.out, 'finish');
    this.out.end();
    await finished;
  }
}

/** Resolves on `event`; rejects on 'error' or if the stream closes first (a plain once('drain') would hang). */
function waitFor(stream: Writable, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off(event, onEvent);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      if (event === 'finish' && stream.writableFinished) resolve();
      else reject(new Error(`output stream closed before '${event}'`));
    };
    stream.on(event, onEvent);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
