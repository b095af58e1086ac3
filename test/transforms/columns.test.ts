import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { cellText, createColumnReader, textAt } from '../../transforms/columns.js';

const specs = [
  { keyPath: 'fields.email', column: 'email' },
  { keyPath: 'fields.firstName', column: 'First_Name' },
];

describe('createColumnReader', () => {
  it('matches exactly first, then ignoring case', () => {
    const reader = createColumnReader(specs, { plugin: 't', missing: 'error' });
    expect(reader.read({ EMAIL: 'x', FIRST_NAME: 'y' })).toEqual(['x', 'y']);
    expect(reader.keys).toEqual(['EMAIL', 'FIRST_NAME']);
    expect(reader.read({ email: 'x', EMAIL: 'z', first_name: 'y' })).toEqual(['x', 'y']);
    expect(reader.keys).toEqual(['email', 'first_name']);
  });

  it('resolves once per key set: rows with the same keys keep the same resolution', () => {
    const reader = createColumnReader(specs, { plugin: 't', missing: 'error' });
    reader.read({ EMAIL: '1', FIRST_NAME: '1' });
    const a = reader.keys;
    expect(reader.read({ EMAIL: '2', FIRST_NAME: '2' })).toEqual(['2', '2']);
    expect(reader.keys).toBe(a);
    expect(reader.read({ email: '3', FIRST_NAME: '3' })).toEqual(['3', '3']);
    expect(reader.keys).not.toBe(a);
    expect(reader.keys).toEqual(['email', 'FIRST_NAME']);
  });

  it('keeps an explicit undefined or null cell without re-resolving', () => {
    const reader = createColumnReader(specs, { plugin: 't', missing: 'error' });
    reader.read({ email: 'a', First_Name: 'b' });
    const a = reader.keys;
    expect(reader.read({ email: undefined, First_Name: null })).toEqual([undefined, null]);
    expect(reader.keys).toBe(a);
  });

  it('throws a ConfigError naming the key path, the available columns and the fix', () => {
    const reader = createColumnReader(specs, { plugin: 'linkedin-user', missing: 'error' });
    let err: unknown;
    try {
      reader.read({ email: 'a@example.com', GIVEN_NAME: 'Ann' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.keyPath).toBe('fields.firstName');
    expect(ce.message).toContain('First_Name');
    expect(ce.message).toContain('available columns: email, GIVEN_NAME');
    expect(ce.fix).toContain('set fields.firstName to one of the available columns');
    expect(ce.message).not.toContain('a@example.com');
  });

  it('rejects a name that matches two columns when case is ignored', () => {
    const reader = createColumnReader(specs, { plugin: 't', missing: 'error' });
    expect(() => reader.read({ Email: 1, EMAIL: 2, First_Name: 3 })).toThrow(/several source columns/);
  });

  it('treats a column missing from later rows as empty (JSON exports omit NULLs)', () => {
    const reader = createColumnReader(specs, { plugin: 't', missing: 'error' });
    expect(reader.read({ EMAIL: 'x', FIRST_NAME: 'y' })).toEqual(['x', 'y']);
    expect(reader.read({ EMAIL: 'x2' })).toEqual(['x2', undefined]);
    expect(reader.keys).toEqual(['EMAIL', undefined]);
    expect(reader.read({ EMAIL: 'x3', FIRST_NAME: 'y3' })).toEqual(['x3', 'y3']);
  });

  it("with missing: 'empty', a column absent from the first row is empty too", () => {
    const reader = createColumnReader(specs, { plugin: 't', missing: 'empty' });
    expect(reader.read({ email: 'x' })).toEqual(['x', undefined]);
  });
});

describe('cellText', () => {
  it('reads strings and numbers, nothing else', () => {
    expect(cellText('a')).toBe('a');
    expect(cellText(12)).toBe('12');
    expect(cellText(12n)).toBe('12');
    expect(cellText(Number.NaN)).toBeUndefined();
    expect(cellText(null)).toBeUndefined();
    expect(cellText({ a: 1 })).toBeUndefined();
    expect(cellText(true)).toBeUndefined();
    expect(textAt(['a', 3, null], 1)).toBe('3');
    expect(textAt(['a'], -1)).toBeUndefined();
  });
});
