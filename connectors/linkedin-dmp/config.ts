/** The `linkedin-dmp` destination's configuration: one zod schema, the source of its types and spec. */
import { z } from 'zod';
import { LINKEDIN_VERSION, LINKEDIN_VERSION_PATTERN } from './versioning.js';

const secret = (description: string) =>
  z.string().min(1).describe(description).meta({ airbyte_secret: true });

const StaticAuth = z
  .object({
    accessToken: secret('A member access token with the rw_dmp_segments scope (valid 60 days).'),
  })
  .strict()
  .meta({ title: 'Access token' });

const RefreshAuth = z
  .object({
    refreshToken: secret(
      'Programmatic refresh token (valid 365 days); exchanged for access tokens as needed.',
    ),
    clientId: z.string().min(1).describe('Client ID of the LinkedIn app that issued the refresh token.'),
    clientSecret: secret('Client secret of that LinkedIn app.'),
    accessToken: secret('Optional current access token, used until it is rejected.').optional(),
  })
  .strict()
  .meta({ title: 'Refresh token' });

const AD_ACCOUNT_URN = /^urn:li:sponsoredAccount:(\d+)$/;

const AdAccount = z
  .union([z.string(), z.number().int().positive()])
  .transform((v, ctx) => {
    const s = String(v).trim();
    if (/^\d+$/.test(s)) return `urn:li:sponsoredAccount:${s}`;
    if (AD_ACCOUNT_URN.test(s)) return s;
    ctx.addIssue({
      code: 'custom',
      message: 'expected urn:li:sponsoredAccount:<number> or the numeric account id',
    });
    return z.NEVER;
  })
  .describe("The ad account that owns the segments: 'urn:li:sponsoredAccount:123' or just 123.");

const Segment = z
  .object({
    sourceSegmentId: z
      .string()
      .min(1)
      .max(255)
      .describe('Your stable id for the segment; LinkedIn indexes it, and find-or-create looks it up by it.'),
    name: z.string().min(1).describe('Display name in Campaign Manager (not unique at LinkedIn).'),
    type: z.enum(['USER', 'COMPANY']).default('USER').describe('USER (contacts) or COMPANY (accounts).'),
    route: z
      .string()
      .min(1)
      .optional()
      .describe('Value of the routing column that sends a row here; default: the sourceSegmentId.'),
    description: z.string().optional().describe('Optional description stored on the segment.'),
  })
  .strict()
  .transform((s) => ({ ...s, route: s.route ?? s.sourceSegmentId }));

const RateLimitsConfig = z
  .object({
    usersPerMinute: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe('Requests per window to /users per token.'),
    companiesPerMinute: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('Requests per window to /companies per token (LinkedIn documents 200, later 300).'),
    windowMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Length of the rate window in ms (60000 at LinkedIn; shorter only against an emulator).'),
  })
  .strict()
  .default({ usersPerMinute: 500, companiesPerMinute: 200, windowMs: 60_000 })
  .describe('Client-side rate limits, shared by every segment on the same token in this process.');

const RetryConfig = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(6)
      .describe('Tries per request on 5xx, network, 409, 429.'),
    baseDelayMs: z
      .number()
      .int()
      .min(0)
      .default(500)
      .describe('First backoff delay; doubles each retry (with jitter).'),
    maxDelayMs: z.number().int().min(0).default(30_000).describe('Cap of one backoff delay.'),
    dailyThrottleBaseMs: z
      .number()
      .int()
      .min(0)
      .default(5_000)
      .describe('First wait after a daily-quota 429; doubles each time.'),
    dailyThrottleMaxMs: z
      .number()
      .int()
      .min(0)
      .default(300_000)
      .describe('Cap of the daily-quota backoff (5 min).'),
  })
  .strict()
  .default({
    maxAttempts: 6,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    dailyThrottleBaseMs: 5_000,
    dailyThrottleMaxMs: 300_000,
  })
  .describe('Retry policy for transient failures.');

export const LinkedInDmpConfig = z
  .object({
    baseUrl: z
      .url()
      .default('https://api.linkedin.com/rest')
      .describe('Versioned REST base URL (point it at the emulator in tests).'),
    oauthUrl: z
      .url()
      .default('https://www.linkedin.com/oauth/v2/accessToken')
      .describe('OAuth token endpoint used for the refresh_token grant.'),
    linkedinVersion: z
      .string()
      .regex(LINKEDIN_VERSION_PATTERN, 'expected YYYYMM or YYYYMM.RR')
      .default(LINKEDIN_VERSION)
      .describe('LinkedIn-Version header (YYYYMM); overrides the version pinned in this release.'),
    auth: z
      .union([RefreshAuth, StaticAuth])
      .describe('Credentials: an access token, or a refresh token + app.'),
    adAccount: AdAccount,
    sourcePlatform: z
      .string()
      .regex(/^[A-Za-z0-9_]+$/, 'expected the partner enum LinkedIn issued, e.g. DMPSYNC')
      .describe('The sourcePlatform enum LinkedIn issued to your organization.'),
    segments: z
      .array(Segment)
      .min(1)
      .superRefine((segments, ctx) => {
        const seen = new Map<string, number>();
        segments.forEach((s, i) => {
          const first = seen.get(s.sourceSegmentId);
          if (first !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'sourceSegmentId'],
              message: `duplicate sourceSegmentId "${s.sourceSegmentId}" (also segments[${first}]): each must be unique`,
            });
          } else seen.set(s.sourceSegmentId, i);
        });
      })
      .describe('The segments this pipeline manages, found or created by sourceSegmentId.'),
    rateLimits: RateLimitsConfig,
    retry: RetryConfig,
    createWaitMs: z
      .number()
      .int()
      .min(0)
      .default(5_000)
      .describe('Wait after creating a segment before streaming to it (LinkedIn asks for 5 s).'),
    notFoundRetries: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('Retries of a 404 on a segment LinkedIn has not made available yet.'),
    notFoundBackoffMs: z
      .number()
      .int()
      .min(0)
      .default(2_000)
      .describe('First wait after such a 404; doubles.'),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .default(5000)
      .describe('Elements per request (LinkedIn max 5000).'),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Requests in flight at once.'),
    requestTimeoutMs: z.number().int().positive().default(120_000).describe('Timeout of one HTTP request.'),
  })
  .strict();

export type LinkedInDmpConfig = z.output<typeof LinkedInDmpConfig>;
export type LinkedInDmpConfigInput = z.input<typeof LinkedInDmpConfig>;
export type SegmentConfig = LinkedInDmpConfig['segments'][number];
