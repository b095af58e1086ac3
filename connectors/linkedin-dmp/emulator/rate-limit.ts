/**
 * Throttling of the streaming endpoints. Per access token and endpoint family (users | companies):
 * at most N requests per fixed window aligned to multiples of windowMs on the injected clock.
 * Optionally, per access token: at most D streaming requests (users + companies together) per UTC day.
 * Requests answered 429 do not count.
 */
import type { ResolvedOptions } from './env.js';

export type Family = 'users' | 'companies';
export type Throttle = 'minute' | 'day';

const DAY_MS = 86_400_000;

interface Counter {
  window: number;
  count: number;
}

export const THROTTLE_MESSAGES: Record<Throttle, string> = {
  minute: 'Too Many Requests',
  day: 'Resource level throttle APPLICATION_AND_MEMBER DAY limit for calls to this resource is reached',
};

export const THROTTLE_CODE = 101;

export class RateLimiter {
  private readonly perWindow = new Map<string, Counter>();
  private readonly perDay = new Map<string, Counter>();

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly now: () => number,
  ) {}

  /** Counts the request and returns undefined when allowed; otherwise which limit refused it. */
  take(token: string, family: Family): Throttle | undefined {
    const now = this.now();
    const limit = family === 'users' ? this.opts.usersPerWindow : this.opts.companiesPerWindow;
    const minute =
      limit > 0
        ? this.counter(this.perWindow, `${family}\u0000${token}`, now - (now % this.opts.windowMs))
        : undefined;
    const day =
      this.opts.dailyPerToken > 0 ? this.counter(this.perDay, token, now - (now % DAY_MS)) : undefined;
    if (day && day.count >= this.opts.dailyPerToken) return 'day';
    if (minute && minute.count >= limit) return 'minute';
    if (day) day.count++;
    if (minute) minute.count++;
    return undefined;
  }

  private counter(map: Map<string, Counter>, key: string, window: number): Counter {
    let c = map.get(key);
    if (!c || c.window !== window) {
      c = { window, count: 0 };
      map.set(key, c);
    }
    return c;
  }
}
