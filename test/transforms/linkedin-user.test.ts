import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { isRejection, type PipelineRow } from '../../core/plugin.js';
import { sha256Hex } from '../../transforms/hash.js';
import { builtinTransforms } from '../../transforms/index.js';
import { LinkedinUserConfig, linkedinUser } from '../../transforms/linkedin-user.js';
import { row, testContext } from './helpers.js';

function make(config: unknown) {
  return linkedinUser.create(LinkedinUserConfig.parse(config), testContext());
}

/** Every key of every object in a JSON Schema has a description. */
function undescribed(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, v] of Object.entries((s.properties as Record<string, Record<string, unknown>>) ?? {})) {
    if (typeof v.description !== 'string' || v.description === '') out.push(`${path}${k}`);
    out.push(...undescribed(v, `${path}${k}.`));
  }
  for (const v of (s.anyOf ?? s.oneOf ?? []) as unknown[]) out.push(...undescribed(v, path));
  return out;
}

describe('linkedin-user transform', () => {
  it('is registered with the other built-ins', () => {
    expect(builtinTransforms.map((t) => t.name)).toEqual(['linkedin-user', 'linkedin-company', 'route']);
    for (const t of builtinTransforms) {
      expect(t.kind).toBe('transform');
      const schema = z.toJSONSchema(t.config, { io: 'input' });
      expect(undescribed(schema)).toEqual([]);
    }
  });

  it('applies defaults and refuses a config without an identifier or with unknown keys', () => {
    expect(LinkedinUserConfig.parse({ fields: { email: 'EMAIL' } })).toEqual({
      fields: { email: 'EMAIL' },
      hash: 'sha256',
      overlong: 'truncate',
      missingColumns: 'error',
    });
    expect(LinkedinUserConfig.safeParse({ fields: { firstName: 'f' } }).success).toBe(false);
    expect(LinkedinUserConfig.safeParse({ fields: { firstName: 'f', lastName: 'l' } }).success).toBe(true);
    expect(LinkedinUserConfig.safeParse({ fields: { emial: 'e' } }).success).toBe(false);
    expect(LinkedinUserConfig.safeParse({ fields: { email: 'e' }, hash: 'md5' }).success).toBe(false);
  });

  it('builds row.member from upper-case Snowflake columns and appends notes', () => {
    const fn = make({
      fields: { email: 'email', firstName: 'first_name', lastName: 'last_name', title: 'title' },
    });
    const input: PipelineRow = {
      data: { EMAIL: ' Ann@Example.com', FIRST_NAME: 'Ann', LAST_NAME: 'Lee', TITLE: 't'.repeat(120) },
      row: 3,
      notes: ['earlier'],
    };
    const out = fn(input) as PipelineRow;
    expect(out).toBe(input);
    expect(out.member).toEqual({
      key: `sha256:${sha256Hex('ann@example.com')}`,
      payload: {
        userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256Hex('ann@example.com') }],
        firstName: 'Ann',
        lastName: 'Lee',
        title: 't'.repeat(100),
      },
    });
    expect(out.notes).toEqual(['earlier', 'title: truncated to 100 characters']);
  });

  it('reads numbers, ignores non-text cells with a note, and rejects rows without identifier', () => {
    const fn = make({ fields: { email: 'e', firstName: 'f', lastName: 'l', company: 'c' } });
    const out = fn(row({ e: 'a@example.com', f: 'A', l: 'B', c: { nested: true } })) as PipelineRow;
    expect(out.notes).toEqual(['company: not text, ignored']);
    const r = fn(row({ e: '', f: 'A', l: null, c: 42 }));
    expect(isRejection(r) && r.field).toBe('identity');
  });

  it('a mapped column absent from the rows is a ConfigError with the key path and the columns', () => {
    const fn = make({ fields: { email: 'email', googleAid: 'aaid' } });
    let err: unknown;
    try {
      fn(row({ EMAIL: 'a@example.com', ADVERTISING_ID: 'x' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).keyPath).toBe('fields.googleAid');
    expect((err as ConfigError).message).toContain('[linkedin-user]');
    expect((err as ConfigError).message).toContain('available columns: EMAIL, ADVERTISING_ID');
    expect((err as ConfigError).message).not.toContain('a@example.com');
  });

  it("missingColumns: 'empty' treats an absent column as empty", () => {
    const fn = make({ fields: { email: 'email', googleAid: 'aaid' }, missingColumns: 'empty' });
    const out = fn(row({ email: 'a@example.com' })) as PipelineRow;
    expect(out.member?.key).toBe(`sha256:${sha256Hex('a@example.com')}`);
  });

  it('handles 100k rows (micro-check, no timing assertion)', () => {
    const fn = make({
      fields: {
        email: 'EMAIL',
        firstName: 'FIRST_NAME',
        lastName: 'LAST_NAME',
        country: 'COUNTRY',
        company: 'COMPANY',
      },
    });
    const countries = ['US', 'united states', 'France', 'DE', 'gb', 'Narnia'];
    const keys = new Set<string>();
    let rejected = 0;
    let noted = 0;
    for (let i = 0; i < 100_000; i++) {
      const r = fn(
        row(
          {
            EMAIL: i % 1000 === 0 ? 'broken' : ` User${i}@Example.COM `,
            FIRST_NAME: `Fïrst${i % 97}`,
            LAST_NAME: i % 1000 === 0 ? '' : `Last${i}`,
            COUNTRY: countries[i % countries.length],
            COMPANY: 'Acme',
          },
          i + 1,
        ),
      );
      if (isRejection(r)) rejected++;
      else {
        keys.add(r.member!.key);
        if (r.notes) noted++;
      }
    }
    expect(rejected).toBe(100);
    expect(keys.size).toBe(99_900);
    // Every 6th row has an unknown country (i % 6 === 5; never a rejected row, those are even).
    expect(noted).toBe(16_666);
  });
});
