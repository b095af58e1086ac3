/**
 * CSV list uploads: POST /media/upload?media_type=ad_segments (multipart field `fileupload`) returns a
 * digitalmediaAsset URN; POST /rest/dmpSegments/{id}/listUploads {"inputFile": urn} attaches it to a
 * LIST_UPLOAD segment (one list per segment; an EXPIRED segment may take a new one and rebuilds).
 */
import { setStatus } from './destinations.js';
import type { Ctx, Env } from './env.js';
import { badRequest, isRecord, parseJsonBody, type Reply } from './http.js';
import { streamableSegment } from './members.js';
import { getParam } from './restli.js';
import { LIST_UPLOAD_TYPES } from './store.js';

export const MAX_LIST_ROWS = 300_000;

/** The content of the multipart part named `name`, if any. */
export function multipartPart(body: Buffer, contentType: string, name: string): Buffer | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) return undefined; // closing delimiter
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd < 0) return undefined;
    const next = body.indexOf(delim, headerEnd + 4);
    if (next < 0) return undefined;
    const end = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next;
    const headers = body.subarray(start, headerEnd).toString('utf8');
    if (/\bname="([^"]*)"/i.exec(headers)?.[1] === name) return body.subarray(headerEnd + 4, end);
    pos = next;
  }
  return undefined;
}

/** RFC 4180 CSV -> rows of fields (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

export async function uploadMedia(ctx: Ctx, env: Env): Promise<Reply> {
  if (getParam(ctx.query, 'media_type') !== 'ad_segments') {
    throw badRequest('Query parameter media_type=ad_segments is required');
  }
  const contentType = String(ctx.headers['content-type'] ?? '');
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw badRequest('Content-Type must be multipart/form-data');
  }
  const part = multipartPart(await ctx.body(), contentType, 'fileupload');
  if (!part) throw badRequest("Missing multipart field 'fileupload'");
  const urn = env.store.newMediaUrn();
  env.store.media.set(urn, { urn, csv: part.toString('utf8') });
  return { status: 201, body: { location: urn } };
}

export async function createListUpload(
  ctx: Ctx,
  env: Env,
  id: number | undefined,
  rawId: string,
): Promise<Reply> {
  const seg = streamableSegment(env, id, rawId);
  if (!LIST_UPLOAD_TYPES.includes(seg.type)) {
    throw badRequest(`DMP segment ${seg.id} is of type ${seg.type}: list uploads need a LIST_UPLOAD segment`);
  }
  if (seg.listUpload)
    throw badRequest(`DMP segment ${seg.id} already has a list upload; a segment can only have one`);
  const body = parseJsonBody(await ctx.body());
  const inputFile = isRecord(body) ? body.inputFile : undefined;
  if (typeof inputFile !== 'string')
    throw badRequest('Request body must be {"inputFile": "urn:li:digitalmediaAsset:..."}');
  const asset = env.store.media.get(inputFile);
  if (!asset) throw badRequest('inputFile does not name an uploaded digitalmediaAsset');
  const [header, ...data] = parseCsv(asset.csv);
  if (data.length > MAX_LIST_ROWS) {
    throw badRequest(`The list has ${data.length} rows; the maximum is ${MAX_LIST_ROWS}`);
  }
  const columns = header ?? [];
  const rows = data.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ''])));
  seg.listUpload = { inputFile, rows };
  seg.hasInput = true;
  setStatus(seg, 'BUILDING', env);
  return { status: 201 };
}
