/**
 * Typed LinkedIn DMP Segments client: one method per operation. Rest.li encoding lives in
 * restli.ts, transport/retries in http.ts, per-element batch results in batch.ts, shapes in models.ts.
 * Ids are strings at this boundary (LinkedIn sends longs; a string never loses precision).
 */
import { z } from 'zod';
import { SystemError } from '../../core/errors.js';
import type { ElementResult } from '../../core/plugin.js';
import { batchCreate } from './batch.js';
import { PLUGIN } from './errors.js';
import type { HttpClient, HttpResponse } from './http.js';
import {
  AdSegment,
  type AdSegmentFilter,
  type BatchDeleteResult,
  type CreateSegmentInput,
  DestinationInfo,
  DmpSegment,
  type Page,
  page,
  parse,
  type SegmentFilter,
  type StreamElement,
  type StreamOptions,
} from './models.js';
import type { EndpointFamily } from './ratelimit.js';
import { encodePathKey, queryString, restliList } from './restli.js';

export type {
  AdSegmentFilter,
  BatchDeleteResult,
  CreateSegmentInput,
  Page,
  Paging,
  SegmentFilter,
  StreamElement,
  StreamOptions,
} from './models.js';
export { AdSegment, DestinationInfo, DmpSegment } from './models.js';

/** LinkedIn's cap on elements per BATCH_CREATE call. */
export const MAX_BATCH = 5000;

const seg = (id: string) => `/dmpSegments/${encodePathKey(id)}`;

export class LinkedInDmpClient {
  constructor(readonly http: HttpClient) {}

  // ------------------------------------------------------------ dmpSegments

  /** Creates a segment with the LINKEDIN destination; resolves to its id (`x-restli-id`). */
  async createSegment(input: CreateSegmentInput): Promise<string> {
    const res = await this.http.request({
      method: 'POST',
      path: '/dmpSegments',
      json: { ...input, destinations: [{ destination: 'LINKEDIN' }] },
    });
    return createdId(res, 'dmpSegments create');
  }

  /** null when LinkedIn does not know the id. */
  async getSegment(id: string): Promise<DmpSegment | null> {
    const res = await this.http.request({ method: 'GET', path: seg(id), accept: [404] });
    return res.status === 404 ? null : parse(DmpSegment, res.body, 'dmpSegments get');
  }

  /** Unknown ids are silently absent from the result, as LinkedIn documents. */
  async batchGetSegments(ids: string[]): Promise<Record<string, DmpSegment>> {
    if (ids.length === 0) return {};
    const res = await this.http.request({
      method: 'GET',
      path: '/dmpSegments',
      query: `ids=${restliList(ids)}`,
    });
    const results = parse(
      z.looseObject({ results: z.record(z.string(), z.unknown()) }),
      res.body,
      'batch get',
    );
    const out: Record<string, DmpSegment> = {};
    for (const [id, value] of Object.entries(results.results))
      out[id] = parse(DmpSegment, value, 'batch get');
    return out;
  }

  /** One page of the `q=account` finder (or all of them when start/count are absent). */
  async findByAccount(filter: SegmentFilter): Promise<Page<DmpSegment>> {
    const query = queryString({ q: 'account', ...filter });
    const res = await this.http.request({ method: 'GET', path: '/dmpSegments', query });
    return page(DmpSegment, res.body, 'dmpSegments finder');
  }

  /** Every segment matching `filter`, paging explicitly (`pageSize` per request) to the end. */
  async findAllByAccount(
    filter: Omit<SegmentFilter, 'start' | 'count'>,
    pageSize = 100,
  ): Promise<DmpSegment[]> {
    const all: DmpSegment[] = [];
    for (let start = 0; ; start += pageSize) {
      const { elements, paging } = await this.findByAccount({ ...filter, start, count: pageSize });
      all.push(...elements);
      const total = paging?.total;
      if (elements.length < pageSize || (total !== undefined && start + elements.length >= total)) return all;
    }
  }

  /** Only name, description and sourceSegmentId can change (LinkedIn's rule). */
  async updateSegment(id: string, set: { name?: string; description?: string; sourceSegmentId?: string }) {
    await this.http.request({
      method: 'POST',
      path: seg(id),
      restliMethod: 'PARTIAL_UPDATE',
      json: { patch: { $set: set } },
    });
  }

  /** false when the segment did not exist. Deleting cascades to destinations and the ad segment. */
  async deleteSegment(id: string): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: seg(id), accept: [404] });
    return res.status !== 404;
  }

  /** All ids must belong to one ad account; one result per id. */
  async batchDeleteSegments(ids: string[]): Promise<Record<string, BatchDeleteResult>> {
    if (ids.length === 0) return {};
    const res = await this.http.request({
      method: 'DELETE',
      path: '/dmpSegments',
      query: `ids=${restliList(ids)}`,
      restliMethod: 'BATCH_DELETE',
    });
    const body = parse(
      z.looseObject({
        results: z.record(z.string(), z.looseObject({ status: z.number() })).default({}),
        errors: z
          .record(
            z.string(),
            z.looseObject({ status: z.number().optional(), message: z.string().optional() }),
          )
          .default({}),
      }),
      res.body,
      'batch delete',
    );
    const out: Record<string, BatchDeleteResult> = {};
    for (const [id, r] of Object.entries(body.results)) out[id] = { ok: r.status < 300, status: r.status };
    for (const [id, e] of Object.entries(body.errors)) {
      out[id] = {
        ok: false,
        status: e.status ?? 400,
        message: e.message ? this.http.redact(e.message) : undefined,
      };
    }
    return out;
  }

  // ------------------------------------------------------------ destinations

  async createDestination(segmentId: string, destination = 'LINKEDIN'): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `${seg(segmentId)}/destinations`,
      json: { destination },
    });
  }

  async getDestination(segmentId: string, destination = 'LINKEDIN'): Promise<DestinationInfo | null> {
    const path = `${seg(segmentId)}/destinations/${encodePathKey(destination)}`;
    const res = await this.http.request({ method: 'GET', path, accept: [404] });
    return res.status === 404 ? null : parse(DestinationInfo, res.body, 'destination get');
  }

  async listDestinations(segmentId: string): Promise<DestinationInfo[]> {
    const res = await this.http.request({ method: 'GET', path: `${seg(segmentId)}/destinations` });
    return page(DestinationInfo, res.body, 'destinations list').elements;
  }

  // ------------------------------------------------------------ users / companies

  /** One element, no batch header: LinkedIn answers 201 (also for repeated ADDs and absent REMOVEs). */
  async streamOne(
    family: EndpointFamily,
    segmentId: string,
    element: StreamElement,
    options: StreamOptions = {},
  ) {
    await this.http.request({
      method: 'POST',
      path: `${seg(segmentId)}/${family}`,
      json: element,
      family,
      notFoundIsTransient: options.notFoundIsTransient,
    });
  }

  /**
   * BATCH_CREATE of up to 5,000 elements, one result per element in order. An all-or-nothing 400
   * naming `batchIndex` entries rejects those elements and resends the rest, so one bad element
   * never sinks its batch; elements LinkedIn deferred (429/5xx inside a 200) are resent too.
   */
  async streamBatch(
    family: EndpointFamily,
    segmentId: string,
    elements: StreamElement[],
    options: StreamOptions = {},
  ): Promise<ElementResult[]> {
    if (elements.length > MAX_BATCH) {
      throw new SystemError(`batch of ${elements.length} exceeds LinkedIn's ${MAX_BATCH}`, {
        plugin: PLUGIN,
      });
    }
    return batchCreate(this.http, `${seg(segmentId)}/${family}`, family, elements, options);
  }

  // ------------------------------------------------------------ adSegments

  async getAdSegment(id: string): Promise<AdSegment | null> {
    const res = await this.http.request({
      method: 'GET',
      path: `/adSegments/${encodePathKey(id)}`,
      accept: [404],
    });
    return res.status === 404 ? null : parse(AdSegment, res.body, 'adSegments get');
  }

  async updateAdSegment(id: string, set: { name?: string; status?: string }): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `/adSegments/${encodePathKey(id)}`,
      restliMethod: 'PARTIAL_UPDATE',
      json: { patch: { $set: set } },
    });
  }

  async findAdSegments(filter: AdSegmentFilter): Promise<Page<AdSegment>> {
    const query = queryString({
      q: 'accounts',
      accounts: filter.accounts,
      statuses: filter.statuses,
      types: filter.types,
      start: filter.start,
      count: filter.count,
    });
    const res = await this.http.request({ method: 'GET', path: '/adSegments', query });
    return page(AdSegment, res.body, 'adSegments finder');
  }

  // ------------------------------------------------------------ adAccountUsers

  /**
   * The authenticated member's role on each ad account (`q=authenticatedUser`). Needs r_ads or
   * rw_ads, which a DMP-only app may lack: callers treat a failure here as "unknown".
   */
  async findMyAdAccountRoles(): Promise<{ account: string; role: string }[]> {
    const res = await this.http.request({
      method: 'GET',
      path: '/adAccountUsers',
      query: 'q=authenticatedUser',
    });
    return page(z.looseObject({ account: z.string(), role: z.string() }), res.body, 'adAccountUsers finder')
      .elements;
  }

  // ------------------------------------------------------------ list uploads

  /** Uploads a CSV (multipart `fileupload`) to the media endpoint; resolves to its media URN. */
  async uploadListFile(csv: string | Uint8Array, filename = 'list.csv'): Promise<string> {
    const form = new FormData();
    const bytes = typeof csv === 'string' ? new TextEncoder().encode(csv) : csv;
    form.append('fileupload', new Blob([bytes], { type: 'text/csv' }), filename);
    const res = await this.http.request({
      method: 'POST',
      path: mediaUploadUrl(this.http.baseUrl),
      query: 'media_type=ad_segments',
      form,
    });
    const body = (res.body ?? {}) as { location?: unknown; value?: { location?: unknown } };
    const urn = body.location ?? body.value?.location ?? res.headers.get('x-restli-id');
    if (typeof urn !== 'string' || !urn)
      throw new SystemError('media upload answered without a URN', { plugin: PLUGIN });
    return urn;
  }

  /** Attaches an uploaded list to a LIST_UPLOAD segment (one list per segment). */
  async attachListUpload(segmentId: string, mediaUrn: string, options: StreamOptions = {}): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: `${seg(segmentId)}/listUploads`,
      json: { inputFile: mediaUrn },
      notFoundIsTransient: options.notFoundIsTransient,
    });
  }
}

/** `https://api.linkedin.com/rest` -> `https://api.linkedin.com/media/upload` (outside /rest). */
export function mediaUploadUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/rest')
    ? `${trimmed.slice(0, -5)}/media/upload`
    : `${new URL(trimmed).origin}/media/upload`;
}

function createdId(res: HttpResponse, what: string): string {
  const id = res.headers.get('x-restli-id') ?? res.headers.get('x-linkedin-id');
  if (!id) throw new SystemError(`${what} answered ${res.status} without x-restli-id`, { plugin: PLUGIN });
  return decodeURIComponent(id);
}
