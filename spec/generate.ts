/**
 * Generates the JSON Schemas in spec/ from the zod schemas in the code. `npm run spec:generate`
 * rewrites them; test/spec.test.ts fails when the committed files drift from the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinRegistry } from '../connectors/index.js';
import { pipelineJsonSchema } from '../core/config/json-schema.js';
import { specFromSchema } from '../core/protocol/spec.js';

export const SPEC_DIR = dirname(fileURLToPath(import.meta.url));

/** Every generated file: relative path -> JSON text. */
export function generatedSpecs(): Map<string, string> {
  const out = new Map<string, string>();
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  out.set('pipeline.schema.json', json(pipelineJsonSchema(builtinRegistry)));
  const all = [...builtinRegistry.sources, ...builtinRegistry.transforms, ...builtinRegistry.destinations];
  for (const def of all) {
    out.set(
      `connectors/${def.name}.spec.json`,
      json(specFromSchema(def.config, { documentationUrl: `docs/connectors/${def.name}.md` })),
    );
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [rel, text] of generatedSpecs()) {
    const file = join(SPEC_DIR, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
