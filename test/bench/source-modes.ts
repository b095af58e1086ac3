/**
 * What the benches share: the context a source reads with, the two modes that measure a source as
 * the runner reads it (through `sourceBatches`; csv, snowflake and pg benches), and the one JSON
 * line run.ts reads from each measurement. Each bench says how its rows name the columns; a bench process reads one
 * source, so every accessor call site sees one function and V8 inlines it.
 */

import { silentLogger } from '../../core/log.js';
import type { PluginContext, Rejection, SourceItem } from '../../core/plugin.js';
import { normalizeEmail } from '../../transforms/email.js';
import { hashEmail } from '../../transforms/hash.js';
import { type BuiltMember, buildUserMember, type UserInput } from '../../transforms/user.js';

let sink = 0; // keeps results observable so the work is not optimised away

export function benchContext(baseDir: string): PluginContext {
  return { logger: silentLogger(), signal: new AbortController().signal, baseDir, now: Date.now };
}

/** `source+hash`: the source + `normalizeEmail` + sha256 of the email column; returns rows read. */
export async function hashedEmails<D>(
  batches: AsyncIterable<SourceItem[]>,
  email: (data: D) => unknown,
): Promise<number> {
  let rows = 0;
  for await (const batch of batches) {
    for (const item of batch) {
      if (item.type !== 'record') continue;
      rows++;
      const normalized = normalizeEmail(String(email(item.data as D) ?? ''));
      if (normalized) sink += hashEmail(normalized, 'sha256').length;
    }
  }
  return rows;
}

/** `source`: the source + the full `linkedin-user` member of 6 fields; returns rows read. */
export async function builtMembers<D>(
  batches: AsyncIterable<SourceItem[]>,
  input: (data: D) => UserInput,
): Promise<number> {
  let rows = 0;
  const options = { hash: 'sha256', overlong: 'truncate' } as const;
  for await (const batch of batches) {
    for (const item of batch) {
      if (item.type !== 'record') continue;
      rows++;
      const built: BuiltMember | Rejection = buildUserMember(input(item.data as D), options);
      if (!('rejected' in built)) sink += built.member.key.length;
    }
  }
  return rows;
}

/** The generated audience's columns (generate.ts), as the CSV and PostgreSQL sources name them. */
export const audienceInput = (d: Record<string, string | undefined>): UserInput => ({
  email: d.email,
  firstName: d.first_name,
  lastName: d.last_name,
  title: d.title,
  company: d.company,
  country: d.country,
});

/** Prints the one JSON line run.ts reads: {mode, rows, seconds, rowsPerSec, peakRssMb, ...extra}. */
export function printResult(
  mode: string,
  rows: number,
  started: number,
  extra: Record<string, unknown> = {},
): void {
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      mode,
      rows,
      seconds: Number(seconds.toFixed(3)),
      rowsPerSec: Math.round(rows / seconds),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      ...extra,
    }),
  );
  if (sink < 0) console.error(sink);
}
