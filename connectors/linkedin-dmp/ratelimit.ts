/**
 * Client-side rate limiter per access token and endpoint family (`/users`, `/companies`).
 *
 * LinkedIn limits each member token to N streaming calls per minute per endpoint; the server's
 * window is not published. We keep a sliding-window log where a request holds its slot from the
 * moment it is sent until one full window after its response arrived. LinkedIn counts a request
 * at some instant between those two, so any window of `windowMs` on the server's clock holds at
 * most N of our requests, whether the server uses fixed or sliding windows: zero 429s, while the
 * only budget lost is one response latency per slot per window (well under 10%).
 *
 * The limit is per token per process, so limiters live in a module-level registry keyed by the
 * token's non-secret identity (see auth.ts): every segment and session on one token shares one.
 */

export type EndpointFamily = 'users' | 'companies';

export interface RateLimits {
  usersPerWindow: number;
  companiesPerWindow: number;
  windowMs: number;
}

export interface Clock {
  now(): number;
}

/** Call when the request is over (response or failure): starts the slot's one-window cool-down. */
export type Release = () => void;

interface Waiter {
  resolve: (release: Release) => void;
  reject: (err: unknown) => void;
}

class Bucket {
  inFlight = 0;
  /** Completion times, ascending; entries before `head` have left the window. */
  log: number[] = [];
  head = 0;
  pausedUntil = 0;
  waiters: Waiter[] = [];
  timer: ReturnType<typeof setTimeout> | undefined;
  constructor(readonly limit: number) {}
}

export class RateLimiter {
  private readonly buckets: Record<EndpointFamily, Bucket>;

  constructor(
    readonly limits: RateLimits,
    private readonly clock: Clock = { now: Date.now },
  ) {
    this.buckets = {
      users: new Bucket(limits.usersPerWindow),
      companies: new Bucket(limits.companiesPerWindow),
    };
  }

  /** Waits for a free slot; `signal` abandons the wait (the caller maps that to an interruption). */
  acquire(family: EndpointFamily, signal?: AbortSignal): Promise<Release> {
    const bucket = this.buckets[family];
    return new Promise<Release>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const i = bucket.waiters.indexOf(waiter);
        if (i >= 0) {
          bucket.waiters.splice(i, 1);
          reject(signal?.reason);
        }
      };
      // The listener goes with the wait: one per request would pile up on a run-long signal.
      const waiter: Waiter = {
        resolve: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      bucket.waiters.push(waiter);
      this.pump(bucket);
    });
  }

  /** After a server 429: no request on this token and family leaves before `untilMs`. */
  pause(family: EndpointFamily, untilMs: number): void {
    const bucket = this.buckets[family];
    bucket.pausedUntil = Math.max(bucket.pausedUntil, untilMs);
  }

  /** Time until the oldest request in the window leaves it: "the rest of the minute". */
  windowRemainingMs(family: EndpointFamily): number {
    const bucket = this.buckets[family];
    const now = this.clock.now();
    this.prune(bucket, now);
    const oldest = bucket.log[bucket.head];
    const rest = oldest === undefined ? this.limits.windowMs : oldest + this.limits.windowMs - now;
    return Math.max(rest, Math.ceil(this.limits.windowMs / 20));
  }

  /** Seconds `requests` calls take at the sustained limit (used by plans and dry runs). */
  estimateSeconds(family: EndpointFamily, requests: number): number {
    return (requests / this.buckets[family].limit) * (this.limits.windowMs / 1000);
  }

  private prune(bucket: Bucket, now: number): void {
    const cutoff = now - this.limits.windowMs;
    while (bucket.head < bucket.log.length && (bucket.log[bucket.head] as number) <= cutoff) bucket.head++;
    if (bucket.head > 1024 && bucket.head * 2 > bucket.log.length) {
      bucket.log = bucket.log.slice(bucket.head);
      bucket.head = 0;
    }
  }

  private pump(bucket: Bucket): void {
    const now = this.clock.now();
    this.prune(bucket, now);
    const used = () => bucket.inFlight + bucket.log.length - bucket.head;
    while (bucket.waiters.length > 0 && now >= bucket.pausedUntil && used() < bucket.limit) {
      const waiter = bucket.waiters.shift() as Waiter;
      bucket.inFlight++;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        bucket.inFlight--;
        bucket.log.push(this.clock.now());
        this.pump(bucket);
      });
    }
    if (bucket.waiters.length === 0 || bucket.timer) return;
    // Wake when a slot frees by time; slots held by in-flight requests wake us through release().
    let wakeAt: number | undefined;
    if (now < bucket.pausedUntil) wakeAt = bucket.pausedUntil;
    else if (bucket.head < bucket.log.length)
      wakeAt = (bucket.log[bucket.head] as number) + this.limits.windowMs;
    if (wakeAt === undefined) return;
    bucket.timer = setTimeout(
      () => {
        bucket.timer = undefined;
        this.pump(bucket);
      },
      Math.max(1, wakeAt - now),
    );
  }
}

const registry = new Map<string, RateLimiter>();

/** The limiter every session on this token shares in this process. */
export function sharedRateLimiter(identity: string, limits: RateLimits, clock?: Clock): RateLimiter {
  const key = `${identity}|${limits.usersPerWindow}|${limits.companiesPerWindow}|${limits.windowMs}`;
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = new RateLimiter(limits, clock);
    registry.set(key, limiter);
  }
  return limiter;
}
