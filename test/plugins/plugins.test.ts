/**
 * User plugins named in a pipeline's `plugins:` list, loaded from outside the source tree: the
 * worked example in docs/plugins/ (a path) and a plugin package (a name in node_modules). Both
 * import `dmpsync` itself, so the temp project links a staged build of the package (as an install
 * would); they run through the repo's CLI exactly like built-in plugins, and every load problem is
 * a configuration error raised before anything is sent.
 */
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { builtinRegistry } from '../../connectors/index.js';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { loadPipeline } from '../../core/config/load.js';
import { ConfigError } from '../../core/errors.js';
import { parseReport, runCli, sha256 } from '../e2e/helpers.js';
import { ROOT, stagePackage } from '../package/stage.js';

let proj: string;
let emu: Emulator;

beforeAll(async () => {
  const stage = await stagePackage({ linkNodeModules: true });
  proj = mkdtempSync(join(tmpdir(), 'dmpsync-plugins-'));
  mkdirSync(join(proj, 'node_modules'));
  symlinkSync(stage, join(proj, 'node_modules/dmpsync'), 'dir');
  cpSync(join(ROOT, 'test/plugins/fixtures/acme-plugin'), join(proj, 'node_modules/acme-dmpsync-plugin'), {
    recursive: true,
  });
  mkdirSync(join(proj, 'plugins'));
  copyFileSync(join(ROOT, 'docs/plugins/exclude-domains.mjs'), join(proj, 'plugins/exclude-domains.mjs'));
  emu = await startEmulator({ segmentReadyDelayMs: 0, buildingToReadyMs: 0 });
}, 60_000);
afterAll(async () => emu?.close());

function pipeline(name: string, body: Record<string, unknown>): string {
  const file = join(proj, `${name}.yaml`);
  writeFileSync(
    file,
    YAML.stringify({
      state: { type: 'sqlite', path: `./${name}.db` },
      guardrails: { minSegmentSize: 0 },
      ...body,
    }),
  );
  return file;
}

const linkedin = () => ({
  type: 'linkedin-dmp',
  config: {
    baseUrl: emu.restUrl,
    auth: { accessToken: 'plugin-token' },
    adAccount: 'urn:li:sponsoredAccount:777',
    sourcePlatform: 'DMPSYNC',
    createWaitMs: 0,
    segments: [{ sourceSegmentId: 'plugin-customers', name: 'Customers', route: 'customer' }],
  },
});
const userTransforms = [
  { type: 'route', config: { by: 'list', column: 'segments', separator: ';' } },
  { type: 'linkedin-user', config: { fields: { email: 'email' } } },
];

describe('plugins: list', () => {
  it('runs the docs example transform (a path) like a built-in one', async () => {
    writeFileSync(
      join(proj, 'audience.csv'),
      'email,segments\nana@client.io,customer\nStaff@ACME.com,customer\nbo@client.io,customer\n',
    );
    const file = pipeline('example', {
      plugins: ['./plugins/exclude-domains.mjs'],
      source: { type: 'csv', config: { path: './audience.csv' } },
      transforms: [{ type: 'exclude-domains', config: { domains: ['acme.com'] } }, ...userTransforms],
      destination: linkedin(),
    });
    const r = await runCli(['sync', '--config', file, '--json']);
    const report = parseReport(r);
    expect(r.code, r.stderr).toBe(3);
    expect(report.rows).toMatchObject({ read: 3, rejected: 1 });
    expect(report.rejectedSamples).toEqual([
      expect.objectContaining({ row: 2, field: 'email', reason: 'excluded domain' }),
    ]);
    const seg = emu.segments().find((s) => s.sourceSegmentId === 'plugin-customers')!;
    expect(emu.members(seg.id)).toHaveLength(2);
    // The rejected address appears nowhere in what dmpsync wrote.
    expect(`${r.stdout}${r.stderr}`.toLowerCase()).not.toContain('staff@acme.com');
  });

  it('runs a source and a destination from an installed package (a name)', async () => {
    const out = join(proj, 'members.jsonl');
    const file = pipeline('package', {
      plugins: ['acme-dmpsync-plugin'],
      source: {
        type: 'inline-rows',
        config: { rows: [1, 2, 3].map((i) => ({ email: `p${i}@client.io`, segments: 'customer' })) },
      },
      transforms: userTransforms,
      destination: {
        type: 'jsonl-file',
        config: { path: './members.jsonl', segments: [{ key: 'c', route: 'customer' }] },
      },
    });
    const r = await runCli(['sync', '--config', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseReport(r).segments[0]).toMatchObject({
      key: 'c',
      acknowledged: { add: 3, remove: 0 },
      batches: 2,
    });
    const sent = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; action: string });
    expect(sent.map((s) => s.action)).toEqual(['ADD', 'ADD', 'ADD']);
    // Members are hashes, never the raw address.
    expect(sent.map((s) => s.key).join()).toContain(sha256('p1@client.io'));
    expect(sent.map((s) => s.key).join()).not.toContain('@');
  });

  it('the row cache keys on plugin files, and a transform declared cacheable: false turns it off', async () => {
    writeFileSync(
      join(proj, 'cached.csv'),
      'email,segments\nana@client.io,customer\nbo@client.io,customer\n',
    );
    copyFileSync(join(proj, 'plugins/exclude-domains.mjs'), join(proj, 'plugins/exclude-copy.mjs'));
    const file = pipeline('cached', {
      plugins: ['./plugins/exclude-copy.mjs'],
      source: { type: 'csv', config: { path: './cached.csv' } },
      transforms: [{ type: 'exclude-domains', config: { domains: ['acme.com'] } }, ...userTransforms],
      destination: linkedin(),
    });
    const sync = async () => parseReport(await runCli(['sync', '--config', file, '--json'])).rowCache;
    expect(await sync()).toMatchObject({ used: false, recorded: 2 });
    expect(await sync()).toMatchObject({ used: true, hits: 2 });
    // The plugin's code changed (its version did not): the cache no longer stands for it.
    writeFileSync(
      join(proj, 'plugins/exclude-copy.mjs'),
      `${readFileSync(join(proj, 'plugins/exclude-copy.mjs'), 'utf8')}\n// edited\n`,
    );
    expect(await sync()).toMatchObject({ used: false, unused: 'config changed' });

    writeFileSync(
      join(proj, 'plugins/stamp.mjs'),
      "import { defineTransform, z } from 'dmpsync';\nexport default defineTransform({ name: 'stamp', version: '1', description: '', cacheable: false, config: z.object({}), create: () => (row) => ({ ...row, data: { ...row.data, row: String(row.row) } }) });\n",
    );
    const stamped = pipeline('stamped', {
      plugins: ['./plugins/stamp.mjs'],
      source: { type: 'csv', config: { path: './cached.csv' } },
      transforms: [{ type: 'stamp' }, ...userTransforms],
      destination: linkedin(),
    });
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['sync', '--config', stamped, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(parseReport(r).rowCache).toBeNull();
    }
  });

  it('`dmpsync check` checks plugin connectors too', async () => {
    const file = join(proj, 'package.yaml');
    const check = await runCli(['check', '--config', file]);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout.trim())).toMatchObject({ connectionStatus: { status: 'SUCCEEDED' } });
  });
});

describe('plugin load errors are configuration errors naming the plugins entry', () => {
  const load = (plugins: string[], transforms: unknown[] = []) =>
    loadPipeline(
      pipeline('errors', {
        plugins,
        source: { type: 'csv', config: { path: './audience.csv' } },
        transforms,
        destination: linkedin(),
      }),
      builtinRegistry,
    );
  const write = (name: string, text: string) => writeFileSync(join(proj, 'plugins', name), text);
  const expectConfigError = (fn: () => unknown, text: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(text);
  };

  it('a missing file or package', () => {
    expectConfigError(
      () => load(['./plugins/nope.mjs']),
      /plugins\[0\]: plugin module "\.\/plugins\/nope\.mjs" not found/,
    );
    expectConfigError(() => load(['no-such-dmpsync-plugin']), /not found.*npm install/);
  });

  it('a module that exports no definition, or an incomplete one', () => {
    write('empty.mjs', 'export const answer = 42;\n');
    expectConfigError(() => load(['./plugins/empty.mjs']), /exports no plugin definition/);
    write('broken.mjs', "export default { kind: 'transform', name: 'broken', version: '1', config: {} };\n");
    expectConfigError(
      () => load(['./plugins/broken.mjs']),
      /invalid definition: config is not a zod schema; create\(\) is missing/,
    );
  });

  it('a CommonJS module (module.exports = definition) loads too', () => {
    write(
      'common.cjs',
      "const { defineTransform, z } = require('dmpsync');\nmodule.exports = defineTransform({ name: 'noop-cjs', version: '1', description: '', config: z.object({}), create: () => (row) => row });\n",
    );
    const p = load(['./plugins/common.cjs'], [{ type: 'noop-cjs' }]);
    expect(p.transforms.map((t) => t.def.name)).toEqual(['noop-cjs']);
  });

  it('a name that is already taken', () => {
    write(
      'clash.mjs',
      "export default { kind: 'source', name: 'csv', version: '1', config: { safeParse() {} }, check() {}, discover() {}, read() {} };\n",
    );
    expectConfigError(() => load(['./plugins/clash.mjs']), /a source named "csv" already exists/);
  });

  it('a module that throws while loading, and a TypeScript file', () => {
    write('throws.mjs', "throw new Error('boom');\n");
    expectConfigError(() => load(['./plugins/throws.mjs']), /failed to load: boom/);
    write('typed.ts', 'export default {};\n');
    expectConfigError(() => load(['./plugins/typed.ts']), /is TypeScript.*compile it/);
  });

  it("a plugin's own config is validated by its schema at start, before any request", async () => {
    expectConfigError(
      () => load(['./plugins/exclude-domains.mjs'], [{ type: 'exclude-domains', config: { domains: [] } }]),
      /transforms\[0\]\.config\.domains/,
    );
    const requests = () => Object.values(emu.stats().requests).reduce((a, n) => a + n, 0);
    const before = requests();
    const r = await runCli(['sync', '--config', join(proj, 'errors.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /configuration error: \[exclude-domains\] .*errors\.yaml: .*transforms\[0\]\.config\.domains/,
    );
    expect(requests()).toBe(before);
  });
});
