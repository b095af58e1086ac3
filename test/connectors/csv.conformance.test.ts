import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { csvSource } from '../../connectors/csv/index.js';
import { describeSourceConformance } from '../conformance/source-suite.js';
import { describeBatchConformance } from './batch-suite.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/csv/${name}`, import.meta.url));

/** The three-part fixture as `part-N.csv.gz` files in `dir`. */
async function gzipParts(dir: string): Promise<void> {
  for (const part of ['part-1.csv', 'part-2.csv', 'part-3.csv']) {
    const text = await readFile(fixture(`parts/${part}`));
    await writeFile(join(dir, `${part}.gz`), gzipSync(text));
  }
}

describeSourceConformance('csv', {
  definition: csvSource,
  validConfig: async (dir) => {
    await copyFile(fixture('audience.csv'), join(dir, 'audience.csv'));
    return { path: 'audience.csv', stateEvery: 3 };
  },
  expectedRecords: 10,
  invalidConfigs: [
    { name: 'missing file', config: () => ({ path: 'missing.csv' }), message: 'file not found: missing.csv' },
    {
      name: 'glob matching nothing',
      config: () => ({ path: 'none/*.csv' }),
      message: 'no file matches none/*.csv',
    },
    {
      name: 'unreadable gzip',
      config: async (dir) => {
        await writeFile(join(dir, 'x.csv.gz'), 'not gzip');
        return { path: 'x.csv.gz' };
      },
      message: /x\.csv\.gz: not a readable gzip file/,
    },
    {
      name: 'empty file',
      config: async (dir) => {
        await writeFile(join(dir, 'empty.csv'), '');
        return { path: 'empty.csv' };
      },
      message: 'empty.csv: the file is empty: no header row',
    },
    {
      name: 'non-UTF-8 byte',
      config: async (dir) => {
        await copyFile(fixture('latin1.csv'), join(dir, 'latin1.csv'));
        return { path: 'latin1.csv' };
      },
      message: /latin1\.csv: line 3: invalid UTF-8 byte 0xE9.*encoding: latin1/,
      failsIn: 'read',
    },
  ],
});

// The same guarantees through gzip and a multi-file glob (state crosses file boundaries).
describeSourceConformance('csv (gzip glob)', {
  definition: csvSource,
  validConfig: async (dir) => {
    await gzipParts(dir);
    return { path: '*.csv.gz', stateEvery: 2 };
  },
  expectedRecords: 9,
  invalidConfigs: [],
});

// readBatches: the same items as read, and resumable from a state inside a batch.
describeBatchConformance('csv', {
  definition: csvSource,
  validConfig: async (dir) => {
    await copyFile(fixture('audience.csv'), join(dir, 'audience.csv'));
    return { path: 'audience.csv', stateEvery: 3 };
  },
});

describeBatchConformance('csv (gzip glob)', {
  definition: csvSource,
  validConfig: async (dir) => {
    await gzipParts(dir);
    return { path: '*.csv.gz', stateEvery: 1 };
  },
});
