/** Test helpers: real fetch against a real emulator on 127.0.0.1. */
import { createHash } from 'node:crypto';
import type { Emulator } from '../../connectors/linkedin-dmp/emulator/index.js';

export const TOKEN = 'good';
export const ACCOUNT = 'urn:li:sponsoredAccount:516848833';
export const REST_HEADERS: Record<string, string> = {
  'LinkedIn-Version': '202601',
  'X-Restli-Protocol-Version': '2.0.0',
};

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Bearer token; null sends no Authorization header. */
  token?: string | null;
  method?: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when empty. */
  json: unknown;
}

export async function call(
  emu: Emulator,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...REST_HEADERS, ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const url = path.startsWith('http') ? path : `${emu.restUrl}${path}`;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text === '' ? undefined : JSON.parse(text) };
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function sha512(s: string): string {
  return createHash('sha512').update(s).digest('hex');
}

export function userAdd(email: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256(email) }], ...extra };
}

export function userRemove(email: string): Record<string, unknown> {
  return { action: 'REMOVE', userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256(email) }] };
}

/** Creates a segment and returns its id (from x-restli-id). */
export async function createSegment(
  emu: Emulator,
  fields: Record<string, unknown> = {},
  token: string = TOKEN,
): Promise<string> {
  const res = await call(emu, 'POST', '/dmpSegments', {
    token,
    body: { name: 'Seg', account: ACCOUNT, type: 'USER', sourcePlatform: 'DMP_PARTNER_PLATFORM', ...fields },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.headers.get('x-restli-id')!;
}

export async function batch(
  emu: Emulator,
  segmentId: string,
  kind: 'users' | 'companies',
  elements: unknown[],
  opts: CallOptions = {},
): Promise<CallResult> {
  return call(emu, 'POST', `/dmpSegments/${segmentId}/${kind}`, {
    ...opts,
    body: { elements },
    headers: { 'X-RestLi-Method': 'BATCH_CREATE', ...opts.headers },
  });
}

/** A manual clock for deterministic lifecycle, window and delay tests. */
export function manualClock(start = Date.UTC(2026, 0, 5, 12, 0, 0)): {
  now: () => number;
  advance(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
