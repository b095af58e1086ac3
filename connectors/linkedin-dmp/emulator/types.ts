/**
 * Public types of the LinkedIn DMP Segments emulator (re-exported by `index.ts`).
 * The emulator is a local stand-in for api.linkedin.com used by tests, benchmarks and the demo.
 */

export interface EmulatorOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted bearer tokens; when absent any non-empty token is accepted. */
  accessTokens?: string[];
  /** OAuth clients for the refresh-token grant; when absent any client and refresh token is accepted. */
  oauthClients?: OAuthClient[];
  /** Defaults 500 / 300 / 60000 / null; 0 or null disables a limit. */
  rateLimit?: RateLimitOptions;
  /** Default 5000: users/companies/listUploads answer 404 "Could not find DMP segment with ID {id}" until elapsed. */
  segmentReadyDelayMs?: number;
  /** Default 2000: destination status BUILDING -> READY. */
  buildingToReadyMs?: number;
  /** Default 1000: READY -> UPDATING on a streamed change, back to READY after this. */
  updatingToReadyMs?: number;
  /** Default 'partial'. */
  batchValidation?: BatchValidation;
  /** LinkedIn-Version values answered with 426. */
  sunsetVersions?: string[];
  /** Seed for fault randomness, minted tokens and matchedCount. Default 1. */
  seed?: number;
  /** Clock (default Date.now). Drives status lifecycle, ready delay, rate windows and token expiry. */
  now?: () => number;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  refreshTokens: string[];
}

export interface RateLimitOptions {
  usersPerWindow?: number | null;
  companiesPerWindow?: number | null;
  windowMs?: number;
  dailyPerToken?: number | null;
}

export type BatchValidation = 'partial' | 'all_or_nothing';

export interface FaultRule {
  /** The next `count` matching requests. */
  count?: number;
  /** Each matching request with this probability (seeded PRNG), once `count` is used up. */
  rate?: number;
}

export interface Faults {
  error5xx?: FaultRule & { status?: number };
  latencyMs?: number;
  /** Socket destroyed, request NOT applied. */
  resetBeforeApply?: FaultRule;
  /** Request applied, then socket destroyed with no response. */
  resetAfterApply?: FaultRule;
  /** Next `count` matching requests get 429 (per-minute body, or the daily body when `daily`). */
  throttle429?: { count: number; daily?: boolean };
  /** After N more matching requests every access token known so far expires -> 401. */
  expireTokenAfterRequests?: number;
  /** Substrings of the path the faults apply to; default ['/users', '/companies']. */
  paths?: string[];
  /**
   * Elements whose JSON contains one of these substrings get a per-element 400, as LinkedIn does for
   * values it refuses that the client thought valid: lets tests prove one bad element never sinks its batch.
   */
  rejectElements?: { containing: string[] };
}

export interface EmulatorStats {
  /** By route label, e.g. 'POST /dmpSegments/{id}/users', plus 'total'. */
  requests: Record<string, number>;
  elements: { added: number; removed: number; rejected: number; companyRemoveMismatches: number };
  throttled: number;
  faultsInjected: number;
}

export type DestinationStatus = 'BUILDING' | 'READY' | 'UPDATING' | 'ARCHIVED' | 'EXPIRED' | 'FAILED';

export const DESTINATION_STATUSES: readonly DestinationStatus[] = [
  'BUILDING',
  'READY',
  'UPDATING',
  'ARCHIVED',
  'EXPIRED',
  'FAILED',
];

export type SegmentType = 'USER' | 'COMPANY' | 'LIST_UPLOAD' | 'USER_LIST_UPLOAD' | 'COMPANY_LIST_UPLOAD';

/** One DMP segment as the admin API shows it. */
export interface SegmentView {
  id: string;
  name: string;
  account: string;
  type: SegmentType;
  sourcePlatform: string;
  sourceSegmentId?: string;
  description?: string;
  created: number;
  lastModified: number;
  /** Current membership size (streamed members, or data rows of the list upload). */
  memberCount: number;
  inputCount?: number;
  /** Status of the LINKEDIN destination; absent when the segment has no destination. */
  status?: DestinationStatus;
  /** `urn:li:adSegment:N` of the LINKEDIN destination. */
  adSegmentUrn?: string;
  /** The DMPDestinationSegmentInfo objects exactly as the API returns them. */
  destinations: Record<string, unknown>[];
  /** The `urn:li:digitalmediaAsset:...` attached by listUploads. */
  listUploadFile?: string;
}

export interface Emulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/rest' (the client's baseUrl). */
  restUrl: string;
  /** url + '/oauth/v2/accessToken'. */
  oauthUrl: string;
  /** Replaces the current faults (counters start afresh). Throws on an invalid Faults object. */
  setFaults(f: Faults): void;
  segments(): SegmentView[];
  /** Current members: the stored ADD elements without `action`, sorted deterministically. Throws for an unknown id. */
  members(segmentId: string): Record<string, unknown>[];
  stats(): EmulatorStats;
  resetStats(): void;
  /** EXPIRED purges membership. Throws for an unknown id. */
  setSegmentStatus(segmentId: string, status: DestinationStatus): void;
  close(): Promise<void>;
}
