/**
 * One small error taxonomy. Retry behaviour is carried by the type, so callers never
 * inspect HTTP statuses or messages: the LinkedIn client maps HTTP to these in one place.
 */

/** Airbyte TRACE ERROR failure_type values. */
export type FailureType = 'config_error' | 'system_error' | 'transient_error';

export abstract class DmpsyncError extends Error {
  abstract readonly failureType: FailureType;
  /** Which plugin raised it, e.g. `linkedin-dmp`; prefixed to the message when shown. */
  readonly plugin: string | undefined;
  constructor(message: string, options?: { plugin?: string; cause?: unknown }) {
    super(options?.plugin ? `[${options.plugin}] ${message}` : message, { cause: options?.cause });
    this.plugin = options?.plugin;
    this.name = new.target.name;
  }
}

export interface ConfigErrorDetails {
  /** The file the bad value came from. */
  file?: string;
  /** Dotted key path inside that file, e.g. `destination.segments[2].type`. */
  keyPath?: string;
  /** What the user should do about it. */
  fix?: string;
  plugin?: string;
  cause?: unknown;
}

/** The user must fix something (config, credentials, input file). Never retried. */
export class ConfigError extends DmpsyncError {
  readonly failureType = 'config_error' as const;
  readonly file: string | undefined;
  readonly keyPath: string | undefined;
  readonly fix: string | undefined;
  constructor(message: string, details: ConfigErrorDetails = {}) {
    super(composeConfigMessage(message, details), details);
    this.file = details.file;
    this.keyPath = details.keyPath;
    this.fix = details.fix;
  }
}

function composeConfigMessage(message: string, d: ConfigErrorDetails): string {
  const where = [d.file, d.keyPath].filter(Boolean).join(': ');
  return `${where ? `${where}: ` : ''}${message}${d.fix ? ` (fix: ${d.fix})` : ''}`;
}

/** Worth retrying later; `retryAfterMs` is the server's or the protocol's wait hint. */
export class TransientError extends DmpsyncError {
  readonly failureType = 'transient_error' as const;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { retryAfterMs?: number; plugin?: string; cause?: unknown }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A bug or an unexpected state: fail the run loudly. */
export class SystemError extends DmpsyncError {
  readonly failureType = 'system_error' as const;
}

/** One row or one element is bad: counted and reported, the run goes on. */
export class RecordError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RecordError';
  }
}

/** The run was stopped by SIGTERM/SIGINT after finishing in-flight work. */
export class InterruptedError extends DmpsyncError {
  readonly failureType = 'transient_error' as const;
}

/** Documented process exit codes (docs/exit-codes.md). */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  ConfigError: 2,
  CompletedWithRejections: 3,
  Refused: 4,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof ConfigError) return ExitCode.ConfigError;
  if (err instanceof InterruptedError) return ExitCode.Interrupted;
  return ExitCode.Failure;
}

export function failureTypeOf(err: unknown): FailureType {
  return err instanceof DmpsyncError ? err.failureType : 'system_error';
}
