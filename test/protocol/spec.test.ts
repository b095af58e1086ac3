import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CsvConfig } from '../../connectors/csv/config.js';
import { ConnectorSpecification } from '../../core/protocol/models.js';
import { secretPaths, specFromSchema } from '../../core/protocol/spec.js';

const Example = z.object({
  account_id: z
    .string()
    .regex(/^[0-9]+$/)
    .describe('Ad account id.')
    .meta({ order: 0 }),
  access_token: z.string().describe('OAuth access token.').meta({ airbyte_secret: true, order: 1 }),
  batch_size: z.number().int().min(1).default(1000).describe('Elements per request.'),
  auth: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('password'), password: z.string().meta({ airbyte_secret: true }) }),
      z.object({
        kind: z.literal('key'),
        private_key: z.string().meta({ airbyte_secret: true, multiline: true }),
      }),
    ])
    .optional()
    .describe('How to log in.'),
  accounts: z
    .array(z.object({ id: z.string(), refresh_token: z.string().optional().meta({ airbyte_secret: true }) }))
    .default([])
    .describe('Extra accounts.'),
});

describe('specFromSchema', () => {
  const spec = specFromSchema(Example, {
    documentationUrl: 'https://example.invalid/docs',
    title: 'Example',
    supported_destination_sync_modes: ['append', 'overwrite'],
  });
  const schema = spec.connectionSpecification as {
    $schema: string;
    title: string;
    required: string[];
    properties: Record<string, Record<string, unknown>>;
  };

  it('is a valid ConnectorSpecification with a draft-07 object schema', () => {
    expect(ConnectorSpecification.parse(spec)).toEqual(spec);
    expect(spec.documentationUrl).toBe('https://example.invalid/docs');
    expect(spec.supported_destination_sync_modes).toEqual(['append', 'overwrite']);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('Example');
  });

  it('carries .meta() keys (airbyte_secret, order, multiline) into the JSON Schema', () => {
    expect(schema.properties.access_token).toEqual({
      type: 'string',
      description: 'OAuth access token.',
      airbyte_secret: true,
      order: 1,
    });
    expect(schema.properties.account_id).toMatchObject({ order: 0, pattern: '^[0-9]+$' });
    expect(JSON.stringify(schema.properties.auth)).toContain('"multiline":true');
  });

  it('describes what the user writes: defaulted keys are optional and show their default', () => {
    expect(schema.required.sort()).toEqual(['access_token', 'account_id']);
    expect(schema.properties.batch_size).toMatchObject({ type: 'integer', default: 1000, minimum: 1 });
  });

  it('turns a discriminated union into oneOf with a const per option (Airbyte rule)', () => {
    const options = schema.properties.auth?.oneOf as { properties: { kind: { const: string } } }[];
    expect(options.map((o) => o.properties.kind.const)).toEqual(['password', 'key']);
  });

  it("generates the CSV source's spec with every key described", () => {
    const csv = specFromSchema(CsvConfig, { documentationUrl: 'docs/connectors/csv.md' })
      .connectionSpecification as {
      properties: Record<string, { description?: string; default?: unknown }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(csv.properties)).toEqual([
      'path',
      'stream',
      'delimiter',
      'quote',
      'escape',
      'header',
      'encoding',
      'columns',
      'stateEvery',
    ]);
    for (const [key, prop] of Object.entries(csv.properties)) expect(prop.description, key).toBeTruthy();
    expect(csv.required).toEqual(['path']);
    expect(csv.properties.stateEvery?.default).toBe(10_000);
    expect(csv.additionalProperties).toBe(false);
  });
});

describe('secretPaths', () => {
  it('lists every airbyte_secret field: top level, inside union options and inside arrays', () => {
    expect(secretPaths(Example)).toEqual([
      'access_token',
      'accounts[*].refresh_token',
      'auth.password',
      'auth.private_key',
    ]);
  });

  it('is empty when nothing is secret', () => {
    expect(secretPaths(CsvConfig)).toEqual([]);
  });

  it('follows nested objects and records', () => {
    const s = z.object({
      db: z.object({
        host: z.string(),
        credentials: z.object({ password: z.string().meta({ airbyte_secret: true }) }),
      }),
      tokens: z.record(z.string(), z.string().meta({ airbyte_secret: true })),
    });
    expect(secretPaths(s)).toEqual(['db.credentials.password', 'tokens.*']);
  });
});
