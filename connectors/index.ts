/**
 * The explicit registry of built-in plugins: no filesystem or naming-convention discovery.
 * A new connector is added here, by hand, in one line.
 */
import type { Registry } from '../core/registry.js';
import { builtinTransforms } from '../transforms/index.js';
import { csvSource } from './csv/index.js';
import { linkedinDmpDestination } from './linkedin-dmp/index.js';
import { postgresSource } from './postgres/index.js';
import { snowflakeJsonSource } from './snowflake-json/index.js';

export const builtinRegistry: Registry = {
  sources: [csvSource, postgresSource, snowflakeJsonSource],
  transforms: builtinTransforms,
  destinations: [linkedinDmpDestination],
};

export { csvSource, linkedinDmpDestination, postgresSource, snowflakeJsonSource };
