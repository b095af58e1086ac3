/**
 * SPEC from a plugin's one zod config schema. `z.toJSONSchema` copies `.meta({...})` keys
 * (airbyte_secret, order, group...) verbatim into the output (checked by test/protocol/spec.test.ts),
 * so no post-processing is needed for them; the same generated schema drives `secretPaths`.
 */
import { z } from 'zod';
import type { ConnectorSpecification, DestinationSyncMode } from './models.js';

export interface SpecOptions {
  documentationUrl: string;
  changelogUrl?: string;
  /** Shown as the form title in Airbyte's UI. */
  title?: string;
  protocol_version?: string;
  supported_destination_sync_modes?: DestinationSyncMode[];
}

type JsonSchema = Record<string, unknown>;

/** The config's JSON Schema as the user writes it: draft-07, defaults make keys optional (`io: 'input'`). */
export function configJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as JsonSchema;
}

export function specFromSchema(schema: z.ZodType, options: SpecOptions): ConnectorSpecification {
  const { documentationUrl, changelogUrl, title, protocol_version, supported_destination_sync_modes } =
    options;
  const connectionSpecification = configJsonSchema(schema);
  if (title !== undefined) connectionSpecification.title = title;
  return {
    documentationUrl,
    ...(changelogUrl !== undefined ? { changelogUrl } : {}),
    connectionSpecification,
    ...(protocol_version !== undefined ? { protocol_version } : {}),
    ...(supported_destination_sync_modes !== undefined ? { supported_destination_sync_modes } : {}),
  };
}

/**
 * Dotted paths of every field marked `.meta({ airbyte_secret: true })`, in pino `redact` syntax:
 * `password`, `auth.client_secret`, `accounts[*].token`. Fields inside `oneOf`/`anyOf` options
 * share their parent's path.
 */
export function secretPaths(schema: z.ZodType): string[] {
  const root = configJsonSchema(schema);
  const found = new Set<string>();
  walk(root, '', root, found, 0);
  return [...found].sort();
}

function walk(node: unknown, path: string, root: JsonSchema, found: Set<string>, depth: number): void {
  if (!isObject(node) || depth > 64) return;
  const resolved = resolveRef(node, root);
  if (resolved.airbyte_secret === true && path) found.add(path);
  const props = resolved.properties;
  if (isObject(props)) {
    for (const [key, child] of Object.entries(props)) {
      walk(child, path ? `${path}.${key}` : key, root, found, depth + 1);
    }
  }
  const items = resolved.items;
  if (isObject(items)) walk(items, `${path}[*]`, root, found, depth + 1);
  for (const combinator of ['oneOf', 'anyOf', 'allOf'] as const) {
    const options = resolved[combinator];
    if (Array.isArray(options)) for (const option of options) walk(option, path, root, found, depth + 1);
  }
  const extra = resolved.additionalProperties;
  if (isObject(extra)) walk(extra, path ? `${path}.*` : '*', root, found, depth + 1);
}

/** Follows local `#/definitions/X` / `#/$defs/X` refs (emitted for registered or recursive schemas). */
function resolveRef(node: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part] : undefined;
  return isObject(target) ? { ...target, ...node, $ref: undefined } : node;
}

function isObject(x: unknown): x is JsonSchema {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
