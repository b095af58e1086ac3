/** The built-in transforms and the pure functions they are made of. */
import { linkedinCompany } from './linkedin-company.js';
import { linkedinUser } from './linkedin-user.js';
import { route } from './route.js';

export const builtinTransforms = [linkedinUser, linkedinCompany, route];

export {
  type ColumnReader,
  type ColumnSpec,
  cellText,
  createColumnReader,
  type MissingColumnPolicy,
  textAt,
} from './columns.js';
export {
  buildCompanyMember,
  COMPANY_LIMITS,
  type CompanyInput,
  type CompanyOptions,
  emailDomain,
  NO_COMPANY_IDENTIFIER,
  normalizeCompanyPageUrl,
  normalizeDomain,
  normalizeOrganizationUrn,
} from './company.js';
export { allAlpha2, countryNameKey, normalizeCountry } from './country.js';
export {
  detectPrehashed,
  type HashedEmailType,
  looksLikeEmail,
  normalizeEmail,
  normalizeHashedEmail,
} from './email.js';
export { explainGoogleAid, normalizeGoogleAid } from './google-aid.js';
export {
  createHashHex,
  type HashAlgorithm,
  hashEmail,
  hashImplementation,
  sha256Hex,
  sha512Hex,
} from './hash.js';
export { LinkedinCompanyConfig, linkedinCompany } from './linkedin-company.js';
export { LinkedinUserConfig, linkedinUser } from './linkedin-user.js';
export { RouteConfig, route, routeByColumn, routeByList } from './route.js';
export { cleanText, type OverlongPolicy, truncateText, USER_TEXT_LIMITS } from './text-fields.js';
export { type BuiltMember, buildUserMember, type UserId, type UserInput, type UserOptions } from './user.js';
