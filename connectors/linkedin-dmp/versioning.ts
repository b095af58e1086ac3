/**
 * The one place the LinkedIn Marketing API version is pinned. LinkedIn supports each monthly
 * version for at least a year, then answers 426 to it; bump this before the sunset date
 * (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/migrations). A pipeline can
 * override it with the destination's `linkedinVersion` key without a release.
 */

/** `LinkedIn-Version` header value sent on every request (YYYYMM). */
export const LINKEDIN_VERSION = '202610';

/** Rest.li protocol the DMP Segment APIs require (`X-Restli-Protocol-Version`). */
export const RESTLI_PROTOCOL_VERSION = '2.0.0';

/** `YYYYMM` or a patch release `YYYYMM.RR`, the two forms LinkedIn accepts. */
export const LINKEDIN_VERSION_PATTERN = /^\d{6}(\.\d{2})?$/;
