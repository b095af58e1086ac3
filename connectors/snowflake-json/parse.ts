/**
 * Streaming readers for NDJSON (line split + JSON.parse: the fastest measured, perf-notes 2.4) and
 * for one big JSON array (a small depth/string scanner that cuts out each element and JSON.parses
 * it), so a file is never held in memory. Both yield batches: one per chunk read.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export type JsonEvent =
  | { kind: 'value'; value: unknown; line: number }
  | { kind: 'malformed'; line: number; reason: string };

/** One value per non-blank line. Never quotes the line in a reason: it may hold an email. */
export async function* ndjsonBatches(input: Readable): AsyncGenerator<JsonEvent[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let line = 0;
  const parseLine = (text: string, out: JsonEvent[]) => {
    line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return;
    try {
      out.push({ kind: 'value', value: JSON.parse(trimmed), line });
    } catch {
      out.push({ kind: 'malformed', line, reason: 'not valid JSON' });
    }
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    const out: JsonEvent[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      parseLine(text.slice(start, nl), out);
      start = nl + 1;
    }
    rest = text.slice(start);
    if (out.length) yield out;
  }
  const out: JsonEvent[] = [];
  const tail = rest + decoder.end();
  if (tail !== '') parseLine(tail, out);
  if (out.length) yield out;
}

/** Elements of a top-level JSON array. `line` is the element's 1-based index. */
export async function* jsonArrayBatches(input: Readable): AsyncGenerator<JsonEvent[]> {
  const decoder = new StringDecoder('utf8');
  let depth = 0; // 0: before the array; 1: inside it, between elements
  let inString = false;
  let escaped = false;
  let ended = false;
  let element = ''; // the current element's text so far
  let index = 0;
  const finish = (out: JsonEvent[]) => {
    const text = element.trim();
    element = '';
    if (text === '') return;
    index++;
    try {
      out.push({ kind: 'value', value: JSON.parse(text), line: index });
    } catch {
      out.push({ kind: 'malformed', line: index, reason: 'not valid JSON' });
    }
  };
  const scan = (text: string): JsonEvent[] => {
    const out: JsonEvent[] = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) {
        depth++;
        if (depth === 1) {
          if (c !== 0x5b || ended) throw new SyntaxError('the file is not one JSON array');
          from = i + 1;
        }
      } else if (c === 0x5d || c === 0x7d) {
        depth--;
        if (depth === 0) {
          element += text.slice(from, i);
          finish(out);
          ended = true;
          from = i + 1;
        }
      } else if (c === 0x2c && depth === 1) {
        element += text.slice(from, i);
        finish(out);
        from = i + 1;
      } else if (depth === 0 && c > 0x20) throw new SyntaxError('the file is not one JSON array');
    }
    if (depth >= 1) element += text.slice(from);
    return out;
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const out = scan(decoder.write(chunk));
    if (out.length) yield out;
  }
  const out = scan(decoder.end());
  if (depth !== 0 || !ended) throw new SyntaxError('the JSON array is truncated');
  if (out.length) yield out;
}

/** Reads a whole (bounded) document: SQL API partitions are a few MB at most (perf-notes). */
export async function readDocument(input: Readable): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of input as AsyncIterable<Buffer>) parts.push(chunk);
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

/** First up to 4 KiB of decompressed text, for format detection. */
export async function peekText(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length >= 4096) break;
  }
  input.destroy();
  return text;
}
