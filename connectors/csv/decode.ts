/**
 * Bytes -> text for the CSV reader. UTF-8 is validated strictly (a silently replaced byte would
 * become a wrong hash downstream); a multi-byte character split across chunks is carried over.
 * `latin1` uses the WHATWG decoder, which reads it as Windows-1252 (what "Latin-1" exports really are).
 */
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

export type CsvEncoding = 'utf8' | 'latin1';

/** Thrown on the first byte that is not valid UTF-8. */
export class InvalidUtf8Error extends Error {
  constructor(
    readonly byte: number,
    /** Newline bytes before the bad byte, within the bytes decoded by this call. */
    readonly newlinesBefore: number,
  ) {
    super(`invalid UTF-8 byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}`);
    this.name = 'InvalidUtf8Error';
  }
}

export class ByteDecoder {
  private carry: Buffer | undefined;
  private readonly latin1: TextDecoder | undefined;

  constructor(encoding: CsvEncoding) {
    this.latin1 = encoding === 'latin1' ? new TextDecoder('latin1') : undefined;
  }

  decode(chunk: Buffer): string {
    if (this.latin1) return this.latin1.decode(chunk, { stream: true });
    const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completePrefixLength(bytes);
    this.carry = cut < bytes.length ? bytes.subarray(cut) : undefined;
    const whole = cut < bytes.length ? bytes.subarray(0, cut) : bytes;
    if (!isUtf8(whole)) throw invalidAt(whole, firstInvalidUtf8(whole));
    return whole.toString('utf8');
  }

  /** Flushes; a character cut off by the end of input is an error. */
  end(): string {
    if (this.latin1) return this.latin1.decode();
    const rest = this.carry;
    this.carry = undefined;
    if (!rest) return '';
    throw invalidAt(rest, 0);
  }
}

function invalidAt(bytes: Buffer, offset: number): InvalidUtf8Error {
  let newlines = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) newlines++;
  return new InvalidUtf8Error(bytes[offset] ?? 0, newlines);
}

/** Length of `bytes` without a trailing, possibly incomplete multi-byte sequence. */
function completePrefixLength(bytes: Buffer): number {
  const n = bytes.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Offset of the first byte that breaks UTF-8 (error path only, so a plain loop is fine). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= n) return i; // truncated sequence
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
