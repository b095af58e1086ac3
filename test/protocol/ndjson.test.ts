import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonWriter, parseMessages, readNdjson } from '../../core/protocol/ndjson.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Splits `text`'s UTF-8 bytes into chunks of `size` bytes (cutting multi-byte characters). */
function bytesIn(text: string, size: number): Readable {
  const buf = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('readNdjson', () => {
  it('handles CRLF, blank lines, split multi-byte characters and a last line without newline', async () => {
    const text = '{"a":1}\r\n\r\n  \n{"name":"Łukasz Zoë"}\n\n[1,2]\r\n"last"';
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(await all(readNdjson(bytesIn(text, size)))).toEqual([
        { line: 1, value: { a: 1 } },
        { line: 4, value: { name: 'Łukasz Zoë' } },
        { line: 6, value: [1, 2] },
        { line: 7, value: 'last' },
      ]);
    }
  });

  it('accepts string chunks too', async () => {
    expect(await all(readNdjson(Readable.from(['{"a"', ':1}\n{"b":2}\n'])))).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: { b: 2 } },
    ]);
  });

  it('reports invalid JSON with its line number, goes on, and never echoes the input', async () => {
    const long = `ana@example.com${'y'.repeat(100)}`;
    const text = `{"ok":1}\n{"email":"ana@example.com",}\nnot json at all\n{"ok":2}\n${long}\n`;
    const out = await all(readNdjson(bytesIn(text, 5)));
    expect(out.map((e) => [e.line, e.value ?? null, e.error !== undefined])).toEqual([
      [1, { ok: 1 }, false],
      [2, null, true],
      [3, null, true],
      [4, { ok: 2 }, false],
      [5, null, true],
    ]);
    for (const e of out.filter((x) => x.error)) {
      expect(e.error).toMatch(/^invalid JSON: /);
      expect(e.error).not.toContain('example.com');
      expect(e.error).not.toContain('not json');
    }
  });

  it('reads very long lines (8 MB, in 1,000 pieces) in linear time', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    const text = `{"big":"${big}"}\n{"after":true}`;
    const out = await all(readNdjson(bytesIn(text, Math.ceil(text.length / 1000))));
    expect(out).toHaveLength(2);
    expect((out[0]!.value as { big: string }).big.length).toBe(big.length);
    expect(out[1]).toEqual({ line: 2, value: { after: true } });
  });
});

describe('parseMessages', () => {
  it('validates each line: strict on type, tolerant on fields, errors with line numbers', async () => {
    const lines = [
      '{"type":"RECORD","record":{"stream":"s","data":{"a":1},"emitted_at":1,"extra":true}}',
      '{"type":"HEARTBEAT"}',
      '{"record":{}}',
      '{"type":"RECORD","record":{"stream":"s","data":{},"emitted_at":"yesterday"}}',
      '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"s"},"stream_state":{"row":1}}}}',
      '{oops',
    ];
    const out = await all(parseMessages(Readable.from([`${lines.join('\n')}\n`])));
    expect(out[0]).toEqual({
      line: 1,
      message: { type: 'RECORD', record: { stream: 's', data: { a: 1 }, emitted_at: 1, extra: true } },
    });
    expect(out[1]).toEqual({ line: 2, error: 'not an Airbyte message: unknown message type "HEARTBEAT"' });
    expect(out[2]).toEqual({ line: 3, error: 'not an Airbyte message: no `type`' });
    expect(out[3]?.line).toBe(4);
    expect(out[3]?.error).toMatch(/^invalid RECORD message: record\.emitted_at: /);
    expect(out[4]?.message?.type).toBe('STATE');
    expect(out[5]?.line).toBe(6);
    expect(out[5]?.error).toMatch(/^invalid JSON/);
  });
});

/** A sink that takes `delayMs` per chunk, with a tiny buffer, recording what it got. */
function slowSink(highWaterMark: number, delayMs = 1) {
  const received: string[] = [];
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      received.push(chunk.toString());
      setTimeout(cb, delayMs);
    },
  });
  return { sink, received };
}

describe('NdjsonWriter', () => {
  it('waits for drain: the sink never buffers past its highWaterMark between writes', async () => {
    const { sink, received } = slowSink(64);
    const writer = new NdjsonWriter(sink);
    let drains = 0;
    sink.on('drain', () => drains++);
    let maxBuffered = 0;
    for (let i = 0; i < 200; i++) {
      await writer.write({ type: 'LOG', log: { level: 'INFO', message: `message number ${i}` } });
      maxBuffered = Math.max(maxBuffered, sink.writableLength);
    }
    await writer.close();
    expect(maxBuffered).toBeLessThan(64);
    expect(drains).toBeGreaterThan(100);
    expect(sink.writableFinished).toBe(true);
    const lines = received.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(200);
    expect(JSON.parse(lines[199] as string)).toEqual({
      type: 'LOG',
      log: { level: 'INFO', message: 'message number 199' },
    });
  });

  it('without awaiting, the same sink buffers far past its mark (the check above can fail)', () => {
    const { sink } = slowSink(64);
    for (let i = 0; i < 200; i++) sink.write(`${JSON.stringify({ i })}\n`);
    expect(sink.writableLength).toBeGreaterThan(64);
    sink.destroy();
  });

  it('close({ end: false }) flushes but leaves the stream open; writing after close throws', async () => {
    const { sink, received } = slowSink(8);
    const writer = new NdjsonWriter(sink);
    await writer.write({ a: 'x'.repeat(100) });
    await writer.close({ end: false });
    expect(sink.writableEnded).toBe(false);
    expect(sink.writableNeedDrain).toBe(false);
    expect(received.join('')).toBe(`{"a":"${'x'.repeat(100)}"}\n`);
    await expect(writer.write({})).rejects.toThrow(/write after close/);
    sink.end();
  });

  it('rejects (instead of hanging) when the sink fails while it waits', async () => {
    const sink = new Writable({
      highWaterMark: 4,
      write(_chunk, _enc, cb) {
        setTimeout(() => cb(new Error('EPIPE')), 1);
      },
    });
    sink.on('error', () => {});
    const writer = new NdjsonWriter(sink);
    await expect(writer.write({ big: 'payload' })).rejects.toThrow('EPIPE');
    await expect(writer.write({})).rejects.toThrow(/destroyed/);
  });
});
