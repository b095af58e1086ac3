/**
 * The conformance suite every source runs (the unstorage `testDriver` idea): spec, check,
 * discover, read and resume-from-state, against real inputs the caller prepares in a temp dir.
 *
 *   describeSourceConformance('csv', { definition: csvSource, validConfig: (dir) => ..., invalidConfigs: [...] });
 *
 * Requirements it encodes: every config key is described; `check` fails with a ConfigError that
 * names the plugin and says what is wrong; records carry exactly the discovered columns; resuming
 * from any STATE item yields exactly the items after it (no gap, no duplicate).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { SourceDefinition, SourceItem } from '../../core/plugin.js';
import { AirbyteCatalog, ConnectorSpecification } from '../../core/protocol/models.js';
import { specFromSchema } from '../../core/protocol/spec.js';
import { type Awaitable, sourceHarness } from './harness.js';

export interface InvalidConfigCase<S extends z.ZodType> {
  name: string;
  /** Builds a schema-valid config that points at something unusable, writing files into `dir`. */
  config: (dir: string) => Awaitable<z.input<S>>;
  /** What the ConfigError message must contain. */
  message: RegExp | string;
  /** Where the error surfaces: `check` (default) or `read` (e.g. a bad byte deep in a file). */
  failsIn?: 'check' | 'read';
}

export interface SourceConformanceOptions<S extends z.ZodType> {
  definition: SourceDefinition<S>;
  /** A working config; prepare its inputs in `dir` (the context's baseDir). Make it emit several STATE items. */
  validConfig: (dir: string) => Awaitable<z.input<S>>;
  invalidConfigs: InvalidConfigCase<S>[];
  /** Records a full read of validConfig must yield. */
  expectedRecords?: number;
  /** How many STATE items the resume test restarts from (spread over the read); default 5. */
  resumePoints?: number;
}

export function describeSourceConformance<S extends z.ZodType>(
  name: string,
  options: SourceConformanceOptions<S>,
): void {
  const { definition } = options;
  const { setup, collect, cleanup } = sourceHarness(definition, 'conformance');

  describe(`source conformance: ${name}`, () => {
    afterEach(cleanup);

    it('declares itself and a valid SPEC whose every property is described', () => {
      expect(definition.kind).toBe('source');
      expect(definition.name).toMatch(/^[a-z0-9-]+$/);
      expect(definition.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(definition.description.length).toBeGreaterThan(10);
      const spec = ConnectorSpecification.parse(
        specFromSchema(definition.config, { documentationUrl: `https://example.invalid/${definition.name}` }),
      );
      const schema = spec.connectionSpecification;
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.type).toBe('object');
      expect(Object.keys(asObject(schema.properties)).length).toBeGreaterThan(0);
      expect(undescribed(schema, '')).toEqual([]);
    });

    it('check passes on the valid config', async () => {
      const { config, ctx } = await setup(options.validConfig);
      await expect(definition.check(config, ctx)).resolves.toBeUndefined();
    });

    for (const bad of options.invalidConfigs) {
      it(`fails with a clear ConfigError: ${bad.name}`, async () => {
        const { config, ctx } = await setup(bad.config);
        const attempt =
          bad.failsIn === 'read' ? collect(config, ctx).then(() => undefined) : definition.check(config, ctx);
        const err = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, 'expected a ConfigError, got success').toBeInstanceOf(ConfigError);
        const message = (err as ConfigError).message;
        if (typeof bad.message === 'string') expect(message).toContain(bad.message);
        else expect(message).toMatch(bad.message);
        expect(message).toContain(`[${definition.name}]`);
        expect(message).not.toMatch(/undefined|\[object Object\]|NaN/);
      });
    }

    it('discover returns a valid catalog', async () => {
      const { config, ctx } = await setup(options.validConfig);
      const catalog = AirbyteCatalog.parse(await definition.discover(config, ctx));
      expect(catalog.streams.length).toBeGreaterThan(0);
      for (const stream of catalog.streams) {
        expect(stream.json_schema.type).toBe('object');
        expect(Object.keys(asObject(stream.json_schema.properties)).length).toBeGreaterThan(0);
      }
    });

    it("read yields records whose keys are the discovered stream's properties", async () => {
      const { config, ctx } = await setup(options.validConfig);
      const catalog = await definition.discover(config, ctx);
      const props = new Map(
        catalog.streams.map((s) => [s.name, Object.keys(asObject(s.json_schema.properties)).sort()]),
      );
      const records = (await collect(config, ctx)).filter((i) => i.type === 'record');
      expect(records.length).toBeGreaterThan(0);
      if (options.expectedRecords !== undefined) expect(records).toHaveLength(options.expectedRecords);
      for (const r of records) {
        expect(props.has(r.stream), `record on undiscovered stream ${r.stream}`).toBe(true);
        expect(Object.keys(r.data).sort()).toEqual(props.get(r.stream));
        expect(Number.isInteger(r.row) && r.row > 0).toBe(true);
      }
    });

    it('emits states that never repeat back to back, and ends each stream with one', async () => {
      const { config, ctx } = await setup(options.validConfig);
      const items = await collect(config, ctx);
      const byStream = new Map<string, SourceItem[]>();
      for (const item of items) byStream.set(item.stream, [...(byStream.get(item.stream) ?? []), item]);
      for (const [stream, list] of byStream) {
        expect(list.at(-1)?.type, `stream ${stream} must end with a STATE item`).toBe('state');
        list.forEach((item, i) => {
          const prev = list[i - 1];
          if (item.type === 'state' && prev?.type === 'state') {
            expect(prev.state, `stream ${stream}: identical states back to back`).not.toEqual(item.state);
          }
        });
      }
    });

    it('resuming from a STATE item yields exactly the items after it', async () => {
      const { config, ctx } = await setup(options.validConfig);
      const items = await collect(config, ctx);
      const stateIdx = items.flatMap((item, i) => (item.type === 'state' ? [i] : []));
      const midway = stateIdx.filter((i) => items.slice(i + 1).some((x) => x.type !== 'state'));
      expect(
        midway.length,
        'validConfig must make the source emit a STATE before its last record',
      ).toBeGreaterThan(0);
      const points = spread(stateIdx, options.resumePoints ?? 5);
      for (const i of points) {
        const at = items[i] as Extract<SourceItem, { type: 'state' }>;
        const expected = items.slice(i + 1).filter((x) => x.type !== 'state' && x.stream === at.stream);
        const resumed = await collect(config, ctx, { state: { [at.stream]: at.state } });
        const got = resumed.filter((x) => x.type !== 'state' && x.stream === at.stream);
        expect(got, `resume from state #${stateIdx.indexOf(i) + 1} ${JSON.stringify(at.state)}`).toEqual(
          expected,
        );
      }
    });

    it('reads nothing for a stream that was not asked for', async () => {
      const { config, ctx } = await setup(options.validConfig);
      const items = await collect(config, ctx, { streams: ['__no_such_stream__'] });
      expect(items.filter((i) => i.type !== 'state')).toEqual([]);
    });
  });
}

function asObject(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** Dotted paths of properties without a description (nested objects included), and of untyped ones. */
function undescribed(schema: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, raw] of Object.entries(asObject(schema.properties))) {
    const prop = asObject(raw);
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof prop.description !== 'string' || prop.description.trim() === '')
      out.push(`${path}: no description`);
    const typed = ['type', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', '$ref'].some((k) => k in prop);
    if (!typed) out.push(`${path}: no type`);
    if (prop.type === 'object') out.push(...undescribed(prop, path));
  }
  for (const req of Array.isArray(schema.required) ? schema.required : []) {
    if (!(String(req) in asObject(schema.properties)))
      out.push(`${prefix}${req}: required but not a property`);
  }
  return out;
}

/** Up to n indexes spread evenly over `xs` (always including the first and last). */
function spread(xs: number[], n: number): number[] {
  if (xs.length <= n) return xs;
  const out = new Set<number>();
  for (let k = 0; k < n; k++) out.add(xs[Math.round((k * (xs.length - 1)) / (n - 1))] as number);
  return [...out];
}
