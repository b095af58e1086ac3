/**
 * Loads one pipeline file (YAML or JSON): parse, interpolate, validate the pipeline and every
 * plugin block before anything runs. Every error names the file and the key path.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { DestinationDefinition, SourceDefinition, TransformDefinition } from '../plugin.js';
import type { Registry } from '../registry.js';
import { safeParseCoercing } from './coerce.js';
import { interpolate } from './interpolate.js';
import { PipelineConfig } from './pipeline.js';
import { withPlugins } from './plugins.js';
import { configErrorFromZod } from './zod-errors.js';

export interface Bound<D> {
  def: D;
  config: unknown;
}

export interface LoadedPipeline {
  file: string;
  baseDir: string;
  config: PipelineConfig;
  source: Bound<SourceDefinition>;
  transforms: Bound<TransformDefinition>[];
  destination: Bound<DestinationDefinition>;
  /** Secret strings found in the config, to mask wherever they might appear. */
  secrets: string[];
}

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'file not found' : `cannot read: ${code ?? String(err)}`, {
      file,
      fix: 'pass an existing pipeline file with --config',
    });
  }
  try {
    return extname(file).toLowerCase() === '.json'
      ? JSON.parse(text)
      : YAML.parse(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError(
      `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
}

export function loadPipeline(
  file: string,
  registry: Registry,
  env: Record<string, string | undefined> = process.env,
  /** Top-level keys used when the file has none (e.g. the stdin source of `dmpsync write`). */
  defaults: Record<string, unknown> = {},
): LoadedPipeline {
  const abs = resolve(file);
  const baseDir = dirname(abs);
  const text = readConfigFile(abs);
  const withDefaults =
    text && typeof text === 'object' && !Array.isArray(text) ? { ...defaults, ...text } : text;
  const raw = interpolate(withDefaults, { env, file: abs, baseDir });
  const parsed = safeParseCoercing(PipelineConfig, raw);
  if (!parsed.success) throw configErrorFromZod(parsed.error, raw, { file: abs });
  const config = parsed.data;
  if (config.plugins.length > 0) registry = withPlugins(registry, config.plugins, { baseDir, file: abs });
  const source = bind('source', config.source, registry.sources, abs, ['source']);
  const transforms = config.transforms.map((t, i) =>
    bind('transform', t, registry.transforms, abs, ['transforms', i]),
  );
  const destination = bind('destination', config.destination, registry.destinations, abs, ['destination']);
  return { file: abs, baseDir, config, source, transforms, destination, secrets: collectSecrets(raw) };
}

function bind<D extends SourceDefinition | TransformDefinition | DestinationDefinition>(
  kind: string,
  ref: { type: string; config: Record<string, unknown> },
  available: D[],
  file: string,
  prefix: (string | number)[],
): Bound<D> {
  const def = available.find((d) => d.name === ref.type);
  if (!def) {
    throw new ConfigError(`unknown ${kind} type "${ref.type}"`, {
      file,
      keyPath: [...prefix, 'type'].join('.').replace(/\.(\d+)/g, '[$1]'),
      fix: `use one of: ${available.map((d) => d.name).join(', ')}`,
    });
  }
  return { def, config: parsePluginConfig(def, ref.config, { file, prefix: [...prefix, 'config'] }) };
}

export function parsePluginConfig(
  def: { name: string; config: z.ZodType },
  input: unknown,
  where: { file?: string; prefix?: (string | number)[] } = {},
): unknown {
  const r = safeParseCoercing(def.config, input);
  if (!r.success) throw configErrorFromZod(r.error, input, { ...where, plugin: def.name });
  return r.data;
}

const SECRET_KEY = /(token|secret|password)$/i;

function collectSecrets(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) collectSecrets(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && SECRET_KEY.test(k)) out.push(x);
      else collectSecrets(x, out);
    }
  }
  return out;
}
