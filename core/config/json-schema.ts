/** The pipeline file's JSON Schema, generated from the zod schemas of the pipeline and every plugin. */
import { z } from 'zod';
import type { Registry } from '../registry.js';
import { PipelineConfig } from './pipeline.js';

function refUnion(defs: { name: string; config: z.ZodType; description: string }[], what: string) {
  const options = defs.map((d) =>
    z
      .object({ type: z.literal(d.name).describe(d.description), config: d.config })
      .describe(`${what}: ${d.name}`),
  );
  if (options.length === 0) return z.never();
  if (options.length === 1) return options[0]!;
  return z.union(options as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

export function pipelineZod(registry: Registry) {
  return PipelineConfig.extend({
    source: refUnion(registry.sources, 'source').describe('Where rows come from.'),
    transforms: z
      .array(refUnion(registry.transforms, 'transform'))
      .default([])
      .describe('Applied in order to every row.'),
    destination: refUnion(registry.destinations, 'destination').describe('Where members go.'),
  });
}

export function pipelineJsonSchema(registry: Registry): Record<string, unknown> {
  return z.toJSONSchema(pipelineZod(registry), {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
}

/** The config of `dmpsync write` (Airbyte destination): the pipeline file without `source`. */
export function destinationJsonSchema(registry: Registry): Record<string, unknown> {
  const schema = pipelineJsonSchema(registry);
  const properties = { ...(schema.properties as Record<string, unknown>) };
  delete properties.source;
  const required = ((schema.required as string[] | undefined) ?? []).filter((k) => k !== 'source');
  return { ...schema, title: 'dmpsync LinkedIn DMP destination', properties, required };
}
