/**
 * BATCH_CREATE on /users or /companies and its per-element results. LinkedIn documents two
 * shapes and both occur, depending on version and endpoint:
 *  - HTTP 200 `{"elements":[{"status":201},{"status":400,"error":{"message":...}}]}`, same order;
 *  - HTTP 400 for the whole request, whose message lists the bad elements as `batchIndex=N`
 *    entries ("all or nothing"): nothing was applied, so the caller resends the rest.
 * Reasons are scrubbed: LinkedIn may echo a value, and a raw email must never reach a report.
 */
import { SystemError } from '../../core/errors.js';
import { scrub } from '../../core/log.js';
import type { ElementResult } from '../../core/plugin.js';
import { classifyFailure, errorBody, LinkedInTransientError, PLUGIN } from './errors.js';
import type { HttpClient } from './http.js';
import type { StreamElement, StreamOptions } from './models.js';
import type { EndpointFamily } from './ratelimit.js';

/** One `{field=.., batchIndex=.., type=.., message=..}` entry of a validation message. */
export interface ValidationEntry {
  batchIndex?: number;
  field?: string;
  type?: string;
  text: string;
}

/** Parses `Validation failed because [{...}, {...}]`; entries without a recognisable shape are kept as text. */
export function parseValidationEntries(message: string): ValidationEntry[] {
  const open = message.indexOf('[{');
  const close = message.lastIndexOf('}]');
  if (open < 0 || close < open) return [];
  const inner = message.slice(open + 2, close);
  return inner.split(/\}\s*,\s*\{/).map((entry) => {
    const index = /(?:^|,\s*)batchIndex=(\d+)/.exec(entry);
    const field = /^field=([^,]*)/.exec(entry);
    const type = /(?:^|,\s*)type=([^,]*)/.exec(entry);
    const msg = /(?:^|,\s*)message=([\s\S]*)$/.exec(entry);
    return {
      batchIndex: index ? Number(index[1]) : undefined,
      field: field?.[1]?.trim(),
      type: type?.[1]?.trim(),
      text: (msg?.[1] ?? entry).replace(/^ERROR :: /, '').trim(),
    };
  });
}

function describe(entry: ValidationEntry): string {
  const head = [entry.type, entry.field].filter(Boolean).join(' ');
  return scrub(head ? `${head}: ${entry.text}` : entry.text);
}

/** The rejected positions of an all-or-nothing 400, with their reasons; empty when none is named. */
export function rejectedByBatchIndex(body: unknown, size: number): Map<number, string> {
  const out = new Map<number, string>();
  const message = errorBody(body).message ?? '';
  for (const entry of parseValidationEntries(message)) {
    if (entry.batchIndex === undefined) continue;
    if (entry.batchIndex < 0 || entry.batchIndex >= size) {
      throw new SystemError(`LinkedIn named batchIndex=${entry.batchIndex} in a batch of ${size}`, {
        plugin: PLUGIN,
      });
    }
    const reason = describe(entry);
    const prior = out.get(entry.batchIndex);
    out.set(entry.batchIndex, prior ? `${prior}; ${reason}` : reason);
  }
  return out;
}

export type ElementStatus =
  | { kind: 'ok' }
  | { kind: 'rejected'; reason: string }
  /** 429 / 5xx inside a 200: LinkedIn did not decide; resend this element. */
  | { kind: 'retry'; reason: string };

/** Statuses of a 200 batch answer, one per element sent, in order. */
export function elementStatuses(body: unknown, size: number): ElementStatus[] {
  const elements = (body as { elements?: unknown } | undefined)?.elements;
  if (!Array.isArray(elements) || elements.length !== size) {
    throw new SystemError(
      `LinkedIn's batch answer holds ${Array.isArray(elements) ? elements.length : 'no'} results for ${size} elements`,
      { plugin: PLUGIN },
    );
  }
  return elements.map((raw: unknown): ElementStatus => {
    const item = (raw ?? {}) as { status?: unknown; error?: unknown };
    const status = typeof item.status === 'number' ? item.status : 0;
    if (status >= 200 && status < 300) return { kind: 'ok' };
    const err = errorBody(item.error);
    const message = err.message ?? `status ${status}`;
    const entries = parseValidationEntries(message);
    const reason = entries.length > 0 ? entries.map(describe).join('; ') : scrub(message);
    return status === 429 || status >= 500 ? { kind: 'retry', reason } : { kind: 'rejected', reason };
  });
}

/**
 * One BATCH_CREATE, one result per element in order. Elements an all-or-nothing 400 names are
 * rejected and the rest is resent (nothing was applied), so one bad element never sinks its batch;
 * elements LinkedIn deferred (429/5xx inside a 200) are resent after a backoff, a bounded number of times.
 */
export async function batchCreate(
  http: HttpClient,
  path: string,
  family: EndpointFamily,
  elements: StreamElement[],
  options: StreamOptions,
): Promise<ElementResult[]> {
  const results: (ElementResult | undefined)[] = new Array(elements.length);
  let pending = elements.map((_, i) => i);
  let deferredRounds = 0;
  while (pending.length > 0) {
    const res = await http.request({
      method: 'POST',
      path,
      json: { elements: pending.map((i) => elements[i]) },
      restliMethod: 'BATCH_CREATE',
      family,
      notFoundIsTransient: options.notFoundIsTransient,
      accept: [400],
    });
    if (res.status === 400) {
      const rejected = rejectedByBatchIndex(res.body, pending.length);
      if (rejected.size === 0) {
        throw classifyFailure(
          { status: 400, body: res.body },
          { method: 'POST', path, version: http.version },
        );
      }
      for (const [bi, reason] of rejected) results[pending[bi] as number] = { ok: false, reason };
      pending = pending.filter((_, bi) => !rejected.has(bi));
      continue;
    }
    const deferred: number[] = [];
    let lastReason = '';
    elementStatuses(res.body, pending.length).forEach((st, k) => {
      const i = pending[k] as number;
      if (st.kind === 'ok') results[i] = { ok: true };
      else if (st.kind === 'rejected') results[i] = { ok: false, reason: st.reason };
      else {
        deferred.push(i);
        lastReason = st.reason;
      }
    });
    pending = deferred;
    if (pending.length > 0) {
      deferredRounds++;
      if (deferredRounds >= http.maxAttempts) {
        throw new LinkedInTransientError(
          `LinkedIn deferred ${pending.length} elements ${deferredRounds} times (${lastReason})`,
          'server',
        );
      }
      await http.backoff(deferredRounds);
    }
  }
  return results as ElementResult[];
}
