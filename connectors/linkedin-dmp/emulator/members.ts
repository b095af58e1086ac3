/**
 * POST /dmpSegments/{id}/users and /companies: single element (201, empty body) or BATCH_CREATE
 * (HTTP 200, one result per element in order). Invalid elements get a per-element 400 in 'partial'
 * mode; in 'all_or_nothing' mode any invalid element fails the whole request and nothing is applied.
 */
import { validateCompany } from './companies.js';
import { markChanged } from './destinations.js';
import type { Ctx, Env } from './env.js';
import {
  ApiError,
  badRequest,
  errorBody,
  type FieldError,
  isRecord,
  parseJsonBody,
  type Reply,
  VALIDATION_CODE,
  validationError,
  validationMessage,
} from './http.js';
import { LIST_UPLOAD_TYPES, type SegmentRecord } from './store.js';
import { validateUser } from './users.js';

export const MAX_BATCH = 5000;
export type MemberKind = 'users' | 'companies';

/** The segment, or the 404 LinkedIn gives while a new segment is not yet available (and for unknown ids). */
export function streamableSegment(env: Env, id: number | undefined, rawId: string): SegmentRecord {
  if (id === undefined) throw badRequest('Bad request: the DMP segment id must be a number');
  const seg = env.store.segments.get(id);
  if (!seg || env.now() < seg.created + env.opts.segmentReadyDelayMs) {
    throw new ApiError(404, `Could not find DMP segment with ID ${rawId}`);
  }
  return seg;
}

function checkType(seg: SegmentRecord, kind: MemberKind): void {
  if (LIST_UPLOAD_TYPES.includes(seg.type)) {
    throw badRequest(`DMP segment ${seg.id} is a ${seg.type} segment: it can only receive list uploads`);
  }
  const wanted = kind === 'users' ? 'USER' : 'COMPANY';
  if (seg.type !== wanted) {
    throw badRequest(
      `DMP segment ${seg.id} is of type ${seg.type}: ${kind} can only be added to ${wanted} segments`,
    );
  }
}

export async function streamMembers(
  ctx: Ctx,
  env: Env,
  kind: MemberKind,
  id: number | undefined,
  rawId: string,
): Promise<Reply> {
  const seg = streamableSegment(env, id, rawId);
  checkType(seg, kind);
  const method = String(ctx.headers['x-restli-method'] ?? '').toUpperCase();
  if (method !== '' && method !== 'CREATE' && method !== 'BATCH_CREATE') {
    throw badRequest(`X-RestLi-Method ${method} is not supported on /${kind}`);
  }
  const body = parseJsonBody(await ctx.body());
  const validate = withInjectedRejections(kind === 'users' ? validateUser : validateCompany, env);
  const stats = env.stats.elements;

  if (method !== 'BATCH_CREATE') {
    const errors = validate(body);
    if (errors.length > 0) {
      stats.rejected++;
      throw validationError(errors.map((error) => ({ error })));
    }
    applyAll(seg, [body as Record<string, unknown>], env);
    return { status: 201 };
  }

  const elements = isRecord(body) ? body.elements : undefined;
  if (!Array.isArray(elements)) throw badRequest('A BATCH_CREATE body must be {"elements": [...]}');
  if (elements.length === 0) throw badRequest('elements must contain at least one element');
  if (elements.length > MAX_BATCH) {
    throw badRequest(
      `Batch size ${elements.length} exceeds the maximum of ${MAX_BATCH} elements per request`,
    );
  }
  const errorsByIndex = new Map<number, FieldError[]>();
  elements.forEach((el, i) => {
    const errors = validate(el);
    if (errors.length > 0) errorsByIndex.set(i, errors);
  });
  stats.rejected += errorsByIndex.size;
  if (errorsByIndex.size > 0 && env.opts.batchValidation === 'all_or_nothing') {
    const items = [...errorsByIndex].flatMap(([batchIndex, errs]) =>
      errs.map((error) => ({ error, batchIndex })),
    );
    throw validationError(items);
  }
  const valid = errorsByIndex.size === 0 ? elements : elements.filter((_, i) => !errorsByIndex.has(i));
  applyAll(seg, valid as Record<string, unknown>[], env);
  const results = elements.map((_, i) => {
    const errs = errorsByIndex.get(i);
    if (!errs) return CREATED;
    const message = validationMessage(errs.map((error) => ({ error, batchIndex: i })));
    return { status: 400, error: errorBody(400, message, VALIDATION_CODE) };
  });
  return { status: 200, body: { elements: results } };
}

const CREATED = Object.freeze({ status: 201 });

function withInjectedRejections(
  validate: (el: unknown) => FieldError[],
  env: Env,
): (el: unknown) => FieldError[] {
  const needles = env.rejectedSubstrings?.() ?? [];
  if (needles.length === 0) return validate;
  return (el) => {
    const errors = validate(el);
    const text = JSON.stringify(el);
    if (needles.some((n) => text.includes(n))) {
      errors.push({
        field: 'element',
        type: 'INVALID_VALUE',
        path: '/',
        text: 'rejected by fault injection',
      });
    }
    return errors;
  };
}

function applyAll(seg: SegmentRecord, elements: Record<string, unknown>[], env: Env): void {
  const members = seg.members!;
  const stats = env.stats.elements;
  let changed = false;
  for (const el of elements) {
    const outcome = members.apply(el);
    if (outcome === 'mismatch') stats.companyRemoveMismatches++;
    else if (el.action === 'ADD') stats.added++;
    else stats.removed++;
    if (outcome === 'changed') changed = true;
  }
  if (elements.length > 0) seg.hasInput = true;
  if (changed) markChanged(seg, env);
}
