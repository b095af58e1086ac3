/** Bad configuration and bad input: one clear line naming the file, key path and fix; exit code 2. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { runCli, tempDir, writeAudience, writePipeline } from './helpers.js';

async function planWith(mutate: (dir: string) => string) {
  const dir = tempDir();
  const file = mutate(dir);
  const r = await runCli(['plan', '--config', file]);
  return { r, file };
}

describe('configuration errors', () => {
  it('a wrong value names the file, the key path, what was expected and found', async () => {
    const { r, file } = await planWith((dir) => {
      const f = join(dir, 'p.yaml');
      writeFileSync(
        f,
        'source: { type: csv, config: { path: a.csv } }\ndestination: { type: linkedin-dmp, config: { batchSize: "lots" } }\nguardrails: { maxRemoveShare: 3 }\n',
      );
      return f;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('guardrails.maxRemoveShare');
    expect(r.stderr).toContain('found 3');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an unknown plugin type lists the available ones', async () => {
    const { r } = await planWith((dir) => {
      const f = join(dir, 'p.yaml');
      writeFileSync(f, 'source: { type: excel }\ndestination: { type: linkedin-dmp }\n');
      return f;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/source\.type.*unknown source type "excel".*csv/s);
  });

  it('a missing environment variable names the variable and the key path', async () => {
    const { r } = await planWith((dir) => {
      const f = join(dir, 'p.yaml');
      writeFileSync(
        f,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the pipeline file's own ${VAR} syntax
        'source: { type: csv, config: { path: "${DMPSYNC_TEST_UNSET_VAR}" } }\ndestination: { type: linkedin-dmp }\n',
      );
      return f;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DMPSYNC_TEST_UNSET_VAR');
    expect(r.stderr).toContain('source.config.path');
  });

  it('a missing input file, and a header without the mapped column, are configuration errors', async () => {
    const missing = await planWith((dir) =>
      writePipeline(dir, { restUrl: 'http://127.0.0.1:9/rest', csv: './nope.csv' }),
    );
    expect(missing.r.code).toBe(2);
    expect(missing.r.stderr).toContain('nope.csv');

    const emu = await startEmulator({ segmentReadyDelayMs: 0 });
    try {
      const noColumn = await planWith((dir) => {
        writeFileSync(join(dir, 'a.csv'), 'mail,segments\nx@example.com,customer\n');
        return writePipeline(dir, { restUrl: emu.restUrl, csv: './a.csv' });
      });
      expect(noColumn.r.code).toBe(2);
      expect(noColumn.r.stderr + noColumn.r.stdout).toMatch(/fields\.email/);
      expect(noColumn.r.stderr + noColumn.r.stdout).toContain('mail');
    } finally {
      await emu.close();
    }
  });

  it('raw emails from the input never appear in the output', async () => {
    const { r } = await planWith((dir) => {
      writeAudience(
        join(dir, 'a.csv'),
        [{ id: 1, segments: ['customer'] }],
        ['secret.person@example.org,,,Engineer,nowhere'],
      );
      return writePipeline(dir, { restUrl: 'http://127.0.0.1:9/rest', csv: './a.csv' });
    });
    expect(r.stdout + r.stderr).not.toContain('secret.person@example.org');
    expect(r.stdout + r.stderr).not.toContain('person1@example.com');
  });
});
