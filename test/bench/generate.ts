/**
 * Deterministic, realistic audience CSVs for benches and tests: messy emails (case, surrounding
 * whitespace, ~1% invalid), names with non-ASCII letters (some above U+00FF, which changes how V8
 * stores strings), quoted commas and quotes, and a segment column with 3 values.
 *
 *   tsx test/bench/generate.ts <path> <rows> [--seed N] [--gzip]     (.gz paths are gzipped anyway)
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import { mulberry32 } from '../../connectors/linkedin-dmp/emulator/prng.js';

export interface GenerateOptions {
  seed: number;
  gzip?: boolean;
}

export const AUDIENCE_COLUMNS = [
  'email',
  'first_name',
  'last_name',
  'company',
  'title',
  'country',
  'segment',
];

const FIRST = [
  'Ana',
  'José',
  'Zoë',
  'Łukasz',
  'Søren',
  'Chloé',
  'François',
  'Ngọc',
  'Björn',
  'Jürgen',
  'İlkay',
  'Anaïs',
  'Renée',
  'Małgorzata',
  'Oğuz',
  'Siobhán',
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Wei',
  'Priya',
  'Mohammed',
  'Sofía',
];
const LAST = [
  'García',
  'Müller',
  'Nguyễn',
  'Kowalski',
  'Łukaszewicz',
  "O'Brien",
  'Smith',
  'Østergaard',
  'Dvořák',
  'Schröder',
  'Åberg',
  'Johnson',
  'Nuñez',
  'Lefèvre',
  'Żuraw',
  'Brown',
  'Tanaka',
  'Rossi',
  'Papadopoulos',
  'Williams',
];
const COMPANIES = [
  'Acme, Inc.',
  'Globex',
  'Initech',
  'Müller & Söhne, GmbH',
  'Dewey, Cheatham & Howe',
  'Stark Industries',
  '"Quoted" Labs',
  'Umbrella Corp',
  'Łódź Logistics',
  'Société Générale',
  'Wayne Enterprises',
  'Hooli',
];
const TITLES = [
  'Head of Growth',
  'VP, Marketing',
  'Data Engineer',
  'CEO',
  'Directrice Générale',
  'Analyst',
  'Sales Manager, EMEA',
  'CTO',
  'Product Owner',
  '',
];
const COUNTRIES = ['US', 'FR', 'DE', 'PL', 'GB', 'VN', 'SE', 'ES', 'us', ''];
const SEGMENTS = ['high_value', 'churn_risk', 'newsletter'];
const DOMAINS = ['example.com', 'mail.example.org', 'corp.example.net', 'exämple.de'];

const FOLD: Record<string, string> = { ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', ı: 'i', "'": '' };

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[łŁøØı']/g, (c) => FOLD[c] ?? '');
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One data line (without newline). `rand` drives every choice, so a seed gives the same file. */
export function audienceLine(rand: () => number, i: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const first = pick(FIRST);
  const last = pick(LAST);
  let email = `${ascii(first)}.${ascii(last)}${i}@${pick(DOMAINS)}`.toLowerCase();
  const r = rand();
  if (r < 0.01) {
    // ~1% invalid: no @, two @, no domain dot, a space inside
    email = pick([
      email.replace('@', ''),
      email.replace('@', '@@'),
      email.replace(/\.[a-z]+$/, ''),
      email.replace('.', ' '),
    ]);
  } else if (r < 0.3) email = email.toUpperCase();
  else if (r < 0.6) email = email.charAt(0).toUpperCase() + email.slice(1);
  const w = rand();
  if (w < 0.1) email = `  ${email}`;
  else if (w < 0.2) email = `${email} `;
  else if (w < 0.25) email = `\t${email}`;
  return [email, first, last, pick(COMPANIES), pick(TITLES), pick(COUNTRIES), pick(SEGMENTS)]
    .map(csvField)
    .join(',');
}

export async function generateAudienceCsv(
  path: string,
  rows: number,
  options: GenerateOptions,
): Promise<void> {
  const rand = mulberry32(options.seed);
  const file = createWriteStream(path);
  const gzip = options.gzip ?? path.toLowerCase().endsWith('.gz');
  const out: Writable = gzip ? createGzip() : file;
  if (gzip) out.pipe(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${AUDIENCE_COLUMNS.join(',')}\n`);
  let batch: string[] = [];
  for (let i = 1; i <= rows; i++) {
    batch.push(audienceLine(rand, i));
    if (batch.length === 2000) {
      await write(`${batch.join('\n')}\n`);
      batch = [];
    }
  }
  if (batch.length) await write(`${batch.join('\n')}\n`);
  out.end();
  await finished(file);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, rowsArg, ...rest] = process.argv.slice(2);
  const rows = Number(rowsArg);
  if (!path || !Number.isInteger(rows) || rows < 0) {
    console.error('usage: tsx test/bench/generate.ts <path> <rows> [--seed N] [--gzip]');
    process.exit(2);
  }
  const seedAt = rest.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(rest[seedAt + 1]) : 1;
  await generateAudienceCsv(path, rows, { seed, gzip: rest.includes('--gzip') || undefined });
  console.error(`wrote ${rows} rows to ${path}`);
}
