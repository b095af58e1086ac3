/**
 * Plain-text fields with LinkedIn length limits: trim, refuse raw emails, then truncate or drop
 * what is too long. Lengths are counted in UTF-16 code units (what Java, hence LinkedIn, counts);
 * that is never less than the code-point count, so the result fits either reading of the limit.
 */
import { looksLikeEmail } from './email.js';

export type OverlongPolicy = 'truncate' | 'drop';

/** LinkedIn /users limits. */
export const USER_TEXT_LIMITS = { firstName: 35, lastName: 35, title: 100, company: 50 } as const;

/**
 * Joins parts into one flat string, for values that go into a payload. `a + b` and template
 * literals make V8 cons strings, and once the payload fingerprint (core/engine/fingerprint.ts) has
 * read one, its optimized code runs about 2.5x slower for every payload of the process (measured:
 * 2.1 -> 5.7 us a member).
 */
export function joinFlat(...parts: string[]): string {
  return parts.join('');
}

let segmenter: Intl.Segmenter | undefined;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Cuts `s` to at most `limit` UTF-16 units on a grapheme boundary (so neither a surrogate pair nor a
 * letter and its accent is split), then trims trailing whitespace. Only called on the rare long value.
 */
export function truncateText(s: string, limit: number): string {
  if (s.length <= limit) return s;
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  let end = 0;
  for (const { index, segment } of segmenter.segment(s)) {
    const next = index + segment.length;
    if (next > limit) break;
    end = next;
  }
  if (end === 0) {
    // The first grapheme alone is longer than the limit: fall back to a code-point boundary.
    end = limit;
    if (end > 0 && isHighSurrogate(s.charCodeAt(end - 1))) end--;
  }
  return s.slice(0, end).trimEnd();
}

/**
 * Cleans one text field. Returns the value to send, or undefined (absent, empty, contains an email,
 * or too long under `drop`). Appends a note to `notes` whenever a value is changed or dropped.
 */
export function cleanText(
  raw: string | undefined,
  field: string,
  limit: number,
  policy: OverlongPolicy,
  notes: string[],
): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (s === '') return undefined;
  if (looksLikeEmail(s)) {
    notes.push(`${field}: contains an email address, dropped`);
    return undefined;
  }
  if (s.length <= limit) return s;
  if (policy === 'drop') {
    notes.push(`${field}: longer than ${limit} characters, dropped`);
    return undefined;
  }
  notes.push(`${field}: truncated to ${limit} characters`);
  return truncateText(s, limit);
}
