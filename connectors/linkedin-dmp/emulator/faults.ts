/**
 * Fault injection for requests whose path contains one of `paths`. Per matching request, in order:
 * latency, reset before apply, 5xx, injected 429, reset after apply. `count` faults hit the next N
 * matching requests; `rate` faults hit each matching request with that probability (seeded).
 */
import { isRecord } from './http.js';
import { mulberry32 } from './prng.js';
import type { Throttle } from './rate-limit.js';
import type { FaultRule, Faults } from './types.js';

export const DEFAULT_FAULT_PATHS = ['/users', '/companies'];

export interface FaultDecision {
  latencyMs: number;
  resetBefore: boolean;
  error5xx?: number;
  throttle?: Throttle;
  resetAfter: boolean;
  /** This request is the last one served with the current tokens: expire them once it is authenticated. */
  expireTokensAfter: boolean;
}

function fail(path: string, why: string): never {
  throw new Error(`[linkedin-dmp emulator] faults.${path} ${why}`);
}

function checkCount(v: unknown, path: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0))
    fail(path, 'must be an integer >= 0');
}

function checkRule(v: unknown, path: string): void {
  if (v === undefined) return;
  if (!isRecord(v)) fail(path, 'must be an object');
  checkCount(v.count, `${path}.count`);
  if (v.rate !== undefined && (typeof v.rate !== 'number' || v.rate < 0 || v.rate > 1)) {
    fail(`${path}.rate`, 'must be a number between 0 and 1');
  }
}

/** Validates an untrusted Faults object (admin HTTP body or setFaults argument). */
export function parseFaults(v: unknown): Faults {
  if (!isRecord(v)) fail('', 'must be a JSON object');
  const known = [
    'error5xx',
    'latencyMs',
    'resetBeforeApply',
    'resetAfterApply',
    'throttle429',
    'expireTokenAfterRequests',
    'paths',
    'rejectElements',
  ];
  for (const k of Object.keys(v)) if (!known.includes(k)) fail(k, 'is not a known fault');
  checkRule(v.error5xx, 'error5xx');
  const status = isRecord(v.error5xx) ? v.error5xx.status : undefined;
  if (
    status !== undefined &&
    (typeof status !== 'number' || !Number.isInteger(status) || status < 500 || status > 599)
  ) {
    fail('error5xx.status', 'must be an integer 500..599');
  }
  checkCount(v.latencyMs, 'latencyMs');
  checkRule(v.resetBeforeApply, 'resetBeforeApply');
  checkRule(v.resetAfterApply, 'resetAfterApply');
  if (v.throttle429 !== undefined) {
    if (!isRecord(v.throttle429)) fail('throttle429', 'must be an object');
    checkCount(v.throttle429.count, 'throttle429.count');
    if (v.throttle429.daily !== undefined && typeof v.throttle429.daily !== 'boolean')
      fail('throttle429.daily', 'must be a boolean');
  }
  checkCount(v.expireTokenAfterRequests, 'expireTokenAfterRequests');
  if (
    v.paths !== undefined &&
    (!Array.isArray(v.paths) || !v.paths.every((p) => typeof p === 'string' && p !== ''))
  ) {
    fail('paths', 'must be an array of non-empty strings');
  }
  const rej = v.rejectElements;
  if (
    rej !== undefined &&
    (!isRecord(rej) ||
      !Array.isArray(rej.containing) ||
      !rej.containing.every((x) => typeof x === 'string' && x !== ''))
  ) {
    fail('rejectElements', 'must be {"containing": [non-empty strings]}');
  }
  return structuredClone(v) as Faults;
}

export class FaultInjector {
  private faults: Faults = {};
  private readonly random: () => number;
  /** Matching requests still to be served before the tokens expire. */
  private expireRemaining: number | undefined;

  constructor(seed: number) {
    this.random = mulberry32(seed ^ 0x5eed5eed);
  }

  /** Substrings that make an element invalid (see Faults.rejectElements). */
  rejectedSubstrings(): string[] {
    return this.faults.rejectElements?.containing ?? [];
  }

  /** Replaces the current faults; the counts in `f` start afresh. */
  set(f: Faults): void {
    this.faults = parseFaults(f);
    this.expireRemaining = this.faults.expireTokenAfterRequests;
  }

  /** Decides the faults for one request; undefined when its path does not match. */
  decide(path: string): FaultDecision | undefined {
    const paths = this.faults.paths ?? DEFAULT_FAULT_PATHS;
    if (!paths.some((p) => path.includes(p))) return undefined;
    const f = this.faults;
    const d: FaultDecision = {
      latencyMs: f.latencyMs ?? 0,
      resetBefore: false,
      resetAfter: false,
      expireTokensAfter: false,
    };
    if (this.expireRemaining !== undefined && this.expireRemaining > 0) {
      this.expireRemaining--;
      d.expireTokensAfter = this.expireRemaining === 0;
    }
    if (this.fire(f.resetBeforeApply)) {
      d.resetBefore = true;
      return d;
    }
    if (this.fire(f.error5xx)) {
      d.error5xx = f.error5xx?.status ?? 503;
      return d;
    }
    if (f.throttle429 && f.throttle429.count > 0) {
      f.throttle429.count--;
      d.throttle = f.throttle429.daily ? 'day' : 'minute';
      return d;
    }
    d.resetAfter = this.fire(f.resetAfterApply);
    return d;
  }

  private fire(rule: FaultRule | undefined): boolean {
    if (!rule) return false;
    if (rule.count !== undefined && rule.count > 0) {
      rule.count--;
      return true;
    }
    return rule.rate !== undefined && rule.rate > 0 && this.random() < rule.rate;
  }
}
