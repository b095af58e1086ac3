import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, truncateText, USER_TEXT_LIMITS } from '../../transforms/text-fields.js';

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

describe('truncateText', () => {
  it('keeps short values and cuts long ones, trimming the end', () => {
    expect(truncateText('Mike', 35)).toBe('Mike');
    expect(truncateText('Software Engineer', 9)).toBe('Software');
  });

  it('does not split a surrogate pair or an accent from its letter', () => {
    expect(truncateText('ab😀', 3)).toBe('ab');
    expect(truncateText('abe\u0301', 3)).toBe('ab');
    expect(truncateText('😀😀', 3)).toBe('😀');
  });

  it('never exceeds the limit (UTF-16 units, hence code points) and never splits surrogates', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 120 }),
        ),
        fc.integer({ min: 1, max: 120 }),
        (s, limit) => {
          const t = truncateText(s, limit);
          expect(t.length).toBeLessThanOrEqual(limit);
          expect([...t].length).toBeLessThanOrEqual(limit);
          expect(s.startsWith(t)).toBe(true);
          if (t.length > 0 && t.length < s.length) {
            expect(isHigh(t.charCodeAt(t.length - 1)) && isLow(s.charCodeAt(t.length))).toBe(false);
          }
        },
      ),
    );
  });
});

describe('cleanText', () => {
  it('trims and treats blank as absent', () => {
    const notes: string[] = [];
    expect(cleanText('  Mike ', 'firstName', 35, 'truncate', notes)).toBe('Mike');
    expect(cleanText('   ', 'firstName', 35, 'truncate', notes)).toBeUndefined();
    expect(cleanText(undefined, 'firstName', 35, 'truncate', notes)).toBeUndefined();
    expect(notes).toEqual([]);
  });

  it('truncates or drops an overlong value, with a note', () => {
    const long = 'x'.repeat(120);
    const notes: string[] = [];
    expect(cleanText(long, 'title', USER_TEXT_LIMITS.title, 'truncate', notes)).toBe('x'.repeat(100));
    expect(cleanText(long, 'title', USER_TEXT_LIMITS.title, 'drop', notes)).toBeUndefined();
    expect(notes).toEqual([
      'title: truncated to 100 characters',
      'title: longer than 100 characters, dropped',
    ]);
  });

  it('drops a value that contains an email, whatever the policy, and the note has no value', () => {
    const notes: string[] = [];
    expect(cleanText('Mike (mike@example.com)', 'firstName', 35, 'truncate', notes)).toBeUndefined();
    expect(notes).toEqual(['firstName: contains an email address, dropped']);
  });

  it('always returns a value within the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.constantFrom<'truncate' | 'drop'>('truncate', 'drop'),
        (s, p) => {
          const v = cleanText(s, 'company', USER_TEXT_LIMITS.company, p, []);
          if (v !== undefined) {
            expect(v.length).toBeLessThanOrEqual(USER_TEXT_LIMITS.company);
            expect(v).toBe(v.trim());
            expect(v).not.toBe('');
          }
        },
      ),
    );
  });
});
