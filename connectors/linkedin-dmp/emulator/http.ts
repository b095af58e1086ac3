/**
 * Reply model and error helpers. Handlers return a Reply instead of writing to the socket, so the
 * server can still drop the connection after a request was applied (the resetAfterApply fault).
 */
import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON when present. */
  body?: unknown;
}

/** LinkedIn's error body: `{message, serviceErrorCode, status}` (plus optional extra fields such as `code`). */
export class ApiError extends Error {
  readonly status: number;
  readonly serviceErrorCode: number;
  readonly extra: Record<string, unknown> | undefined;
  constructor(status: number, message: string, serviceErrorCode = status, extra?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.serviceErrorCode = serviceErrorCode;
    this.extra = extra;
  }
  toReply(): Reply {
    return {
      status: this.status,
      body: errorBody(this.status, this.message, this.serviceErrorCode, this.extra),
    };
  }
}

export function errorBody(
  status: number,
  message: string,
  serviceErrorCode = status,
  extra?: Record<string, unknown>,
): Record<string, unknown> {
  return { ...extra, message, serviceErrorCode, status };
}

/** One validation problem, rendered Rest.li style: `{field=.., batchIndex=.., type=.., message=ERROR :: /path :: text}`. */
export interface FieldError {
  field: string;
  type: 'MISSING_REQUIRED_FIELD' | 'INVALID_VALUE';
  /** Path inside the element, e.g. `/userIds/idType`. */
  path: string;
  text: string;
}

export const VALIDATION_CODE = 10007;

export function validationMessage(items: { error: FieldError; batchIndex?: number }[]): string {
  const parts = items.map(({ error, batchIndex }) => {
    const index = batchIndex === undefined ? '' : ` batchIndex=${batchIndex},`;
    return `{field=${error.field},${index} type=${error.type}, message=ERROR :: ${error.path} :: ${error.text}}`;
  });
  return `Validation failed because [${parts.join(', ')}]`;
}

export function validationError(items: { error: FieldError; batchIndex?: number }[]): ApiError {
  return new ApiError(400, validationMessage(items), VALIDATION_CODE);
}

/** A 400 for a malformed request body or parameter (not an element validation failure). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new ApiError(413, `Request body exceeds ${limit} bytes`);
    chunks.push(buf);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

export function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) throw badRequest('Request body is empty');
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Order-insensitive structural equality for JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}
