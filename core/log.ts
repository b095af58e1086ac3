/**
 * Logging: pino to stderr (stdout belongs to protocol messages). Readable on a TTY, JSON otherwise.
 * Secrets are redacted by key name, and any string that looks like an email is masked, so a raw
 * email can never reach a log line even through an error message.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

/** Keys whose values are always replaced, wherever they appear in a log object. */
export const SECRET_KEYS = [
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'password',
  'authorization',
  'Authorization',
  'token',
  'secret',
];

const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Masks anything shaped like an email address, and `Bearer <token>` values. */
export function scrub(text: string): string {
  return text.replace(EMAIL_RE, '[email]').replace(/Bearer\s+[^\s"',]+/gi, 'Bearer [redacted]');
}

/**
 * A data value quoted in a rejection reason: cut to `max` characters, and withheld altogether when
 * it may hold an address (any '@'), since a cut email would slip past `scrub`.
 */
export function quotedValue(value: string, max: number): string {
  return value.includes('@') ? '[redacted]' : value.slice(0, max);
}

export interface LogOptions {
  level?: string;
  /** Force pretty (true) or JSON (false); default: pretty when stderr is a TTY. */
  pretty?: boolean;
  /** Extra secret strings (tokens from config) to mask wherever they appear. */
  secrets?: string[];
}

export function createLogger(options: LogOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const clean = (s: string) => {
    let out = scrub(s);
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const base = {
    level: options.level ?? process.env.DMPSYNC_LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? clean(a) : a instanceof Error ? cleanError(a, clean) : a)),
        );
      },
    },
    formatters: {
      log(obj: Record<string, unknown>) {
        return JSON.parse(clean(JSON.stringify(obj, errorsAsObjects))) as Record<string, unknown>;
      },
    },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss' },
      },
    });
  }
  return pino(base, pino.destination(2));
}

/** JSON.stringify drops an Error's message and stack (not enumerable): keep them. */
function errorsAsObjects(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return {
      ...(value as unknown as Record<string, unknown>),
      type: value.name,
      message: value.message,
      stack: value.stack,
    };
  }
  return value;
}

function cleanError(err: Error, clean: (s: string) => string): Record<string, unknown> {
  return {
    err: { type: err.name, message: clean(err.message), stack: err.stack ? clean(err.stack) : undefined },
  };
}

/** A logger that drops everything: for library callers and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
