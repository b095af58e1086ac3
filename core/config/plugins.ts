/**
 * User plugins named in a pipeline file's `plugins:` list: a path (relative to the pipeline file)
 * or an installed package name. Each module exports define* definitions; they join the registry
 * for this pipeline only and are then validated and run exactly like the built-in ones.
 *
 * Loading is synchronous (`require` of ES modules, Node >= 20.19) so that `loadPipeline` keeps its
 * signature; plugins are therefore JavaScript (ESM without top-level await, or CommonJS).
 */
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { AnyPlugin } from '../plugin.js';
import type { Registry } from '../registry.js';

export interface PluginModuleRef {
  /** As written in the pipeline file: `./plugins/x.js`, `/abs/x.mjs` or `@acme/dmpsync-plugin`. */
  spec: string;
  /** Directory relative paths and package names are resolved from (the pipeline file's folder). */
  baseDir: string;
  /** For error messages. */
  file?: string;
  keyPath?: string;
}

const REQUIRED_FUNCTIONS: Record<AnyPlugin['kind'], string[]> = {
  source: ['check', 'discover', 'read'],
  transform: ['create'],
  destination: ['check', 'open'],
};

function isPath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec);
}

/** The file a `plugins:` entry names: a path from `baseDir`, or a package installed there. Throws if none. */
export function resolvePluginModule(spec: string, baseDir: string): string {
  const req = createRequire(resolve(baseDir, 'noop.js'));
  return req.resolve(isPath(spec) ? resolve(baseDir, spec) : spec);
}

/** Imports one plugin module and returns the definitions it exports (default export first). */
export function loadPluginModule(ref: PluginModuleRef): AnyPlugin[] {
  const where = { file: ref.file, keyPath: ref.keyPath };
  const req = createRequire(resolve(ref.baseDir, 'noop.js'));
  let resolved: string;
  try {
    resolved = resolvePluginModule(ref.spec, ref.baseDir);
  } catch {
    throw new ConfigError(`plugin module "${ref.spec}" not found`, {
      ...where,
      fix: isPath(ref.spec)
        ? `no such file relative to ${ref.baseDir}`
        : 'install the package next to the pipeline file (npm install <name>)',
    });
  }
  if (/\.[cm]?ts$/.test(resolved))
    throw new ConfigError(`plugin module "${ref.spec}" is TypeScript`, {
      ...where,
      fix: 'compile it to JavaScript (tsc) and name the .js file',
    });
  let mod: Record<string, unknown>;
  try {
    mod = req(resolved) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`plugin module "${ref.spec}" failed to load: ${(err as Error).message}`, {
      ...where,
      cause: err,
    });
  }
  // ESM: the default export, else the named ones; CommonJS: `module.exports = def` or `= [defs]`.
  const exported =
    'kind' in mod || Array.isArray(mod)
      ? [mod]
      : 'default' in mod && mod.default !== undefined
        ? [mod.default]
        : Object.values(mod);
  const defs = exported.flat().filter((x) => typeof x === 'object' && x !== null && 'kind' in x);
  if (defs.length === 0)
    throw new ConfigError(`plugin module "${ref.spec}" exports no plugin definition`, {
      ...where,
      fix: 'export default defineSource(...), defineTransform(...) or defineDestination(...)',
    });
  return defs.map((d) => validateDefinition(d, ref));
}

function validateDefinition(d: object, ref: PluginModuleRef): AnyPlugin {
  const def = d as Record<string, unknown>;
  const kind = def.kind as AnyPlugin['kind'];
  const problems: string[] = [];
  if (!(kind in REQUIRED_FUNCTIONS))
    problems.push(`kind "${String(def.kind)}" is not source/transform/destination`);
  if (typeof def.name !== 'string' || def.name === '') problems.push('name is missing');
  if (typeof def.version !== 'string') problems.push('version is missing');
  const config = def.config as { safeParse?: unknown } | undefined;
  if (typeof config?.safeParse !== 'function') problems.push('config is not a zod schema');
  for (const fn of REQUIRED_FUNCTIONS[kind] ?? [])
    if (typeof def[fn] !== 'function') problems.push(`${fn}() is missing`);
  if (problems.length > 0)
    throw new ConfigError(`plugin module "${ref.spec}": invalid definition: ${problems.join('; ')}`, {
      file: ref.file,
      keyPath: ref.keyPath,
    });
  return { description: '', ...def } as AnyPlugin;
}

/** The registry plus every plugin the modules export; a name already taken is a config error. */
export function withPlugins(
  registry: Registry,
  specs: string[],
  where: { baseDir: string; file?: string },
): Registry {
  const out: Registry = {
    sources: [...registry.sources],
    transforms: [...registry.transforms],
    destinations: [...registry.destinations],
  };
  specs.forEach((spec, i) => {
    const ref = { spec, baseDir: where.baseDir, file: where.file, keyPath: `plugins[${i}]` };
    for (const def of loadPluginModule(ref)) {
      const list: AnyPlugin[] =
        def.kind === 'source' ? out.sources : def.kind === 'transform' ? out.transforms : out.destinations;
      if (list.some((x) => x.name === def.name))
        throw new ConfigError(`plugin module "${spec}": a ${def.kind} named "${def.name}" already exists`, {
          file: ref.file,
          keyPath: ref.keyPath,
          fix: 'give the plugin a unique name',
        });
      list.push(def);
    }
  });
  return out;
}
