import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { snowflakeJsonSource } from '../../connectors/snowflake-json/index.js';
import { describeSourceConformance } from '../conformance/source-suite.js';
import { describeBatchConformance } from './batch-suite.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/snowflake/${name}`, import.meta.url));

/** Two gzip part files of an OBJECT_CONSTRUCT(*) unload, as COPY INTO writes them. */
async function gzipParts(dir: string): Promise<string> {
  const text = await readFile(fixture('object_construct_star_data_0_0_0.json'));
  await mkdir(join(dir, 'unload'));
  await writeFile(join(dir, 'unload/data_0_0_0.json.gz'), gzipSync(text));
  await writeFile(join(dir, 'unload/data_0_1_0.json.gz'), gzipSync(text));
  return 'unload';
}

/** SQL API v2 result set: partition 0 with its metadata, partition 1 gzipped. */
async function sqlApiPartitions(dir: string): Promise<string> {
  await copyFile(fixture('sqlapi-v2-resultset-partition0.json'), join(dir, 'p0.json'));
  await copyFile(fixture('sqlapi-v2-partition1.json.gz'), join(dir, 'p1.json.gz'));
  return 'p*.json*';
}

/** The same rows as one JSON array file. */
async function jsonArray(dir: string): Promise<string> {
  const lines = (await readFile(fixture('object_construct_keep_null_data_0_0_0.json'), 'utf8')).trim();
  await writeFile(join(dir, 'rows.json'), `[\n${lines.split('\n').join(',\n')}\n]\n`);
  return 'rows.json';
}

describeSourceConformance('snowflake-json (gzip NDJSON part files)', {
  definition: snowflakeJsonSource,
  validConfig: async (dir) => ({ path: await gzipParts(dir), stateEvery: 2 }),
  expectedRecords: 8,
  invalidConfigs: [
    {
      name: 'missing file',
      config: () => ({ path: 'missing.json' }),
      message: 'file not found: missing.json',
    },
    {
      name: 'glob matching nothing',
      config: () => ({ path: 'x/*.json.gz' }),
      message: 'no export file matches',
    },
    {
      name: 'corrupt gzip',
      config: async (dir) => {
        await writeFile(join(dir, 'data_0_0_0.json.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
        return { path: 'data_0_0_0.json.gz' };
      },
      message: /data_0_0_0\.json\.gz: not a readable gzip file/,
    },
    {
      name: 'zstd file',
      config: async (dir) => {
        await writeFile(join(dir, 'data_0_0_0.json.zst'), 'x');
        return { path: 'data_0_0_0.json.zst' };
      },
      message: /ZSTD and BZ2 files cannot be read.*COMPRESSION=GZIP/,
    },
  ],
});

describeSourceConformance('snowflake-json (SQL API v2 partitions)', {
  definition: snowflakeJsonSource,
  validConfig: async (dir) => ({ path: await sqlApiPartitions(dir), stateEvery: 2 }),
  expectedRecords: 5,
  invalidConfigs: [
    {
      name: 'partition without its metadata',
      config: async (dir) => {
        await copyFile(fixture('sqlapi-v2-partition1.json'), join(dir, 'p1.json'));
        return { path: 'p1.json' };
      },
      message: 'no file holds the SQL API resultSetMetaData',
    },
  ],
});

describeSourceConformance('snowflake-json (JSON array)', {
  definition: snowflakeJsonSource,
  validConfig: async (dir) => ({ path: await jsonArray(dir), stateEvery: 1 }),
  expectedRecords: 4,
  invalidConfigs: [
    {
      name: 'truncated array',
      config: async (dir) => {
        await writeFile(join(dir, 'rows.json'), '[{"EMAIL":"a@b.c"},');
        return { path: 'rows.json', columns: ['EMAIL'] };
      },
      message: 'rows.json: the JSON array is truncated',
      failsIn: 'read',
    },
  ],
});

// readBatches: the same items as read, and resumable from a state inside a batch.
describeBatchConformance('snowflake-json (gzip NDJSON part files)', {
  definition: snowflakeJsonSource,
  validConfig: async (dir) => ({ path: await gzipParts(dir), stateEvery: 1 }),
});

describeBatchConformance('snowflake-json (SQL API v2 partitions)', {
  definition: snowflakeJsonSource,
  validConfig: async (dir) => ({ path: await sqlApiPartitions(dir), stateEvery: 1 }),
});

describeBatchConformance('snowflake-json (JSON array)', {
  definition: snowflakeJsonSource,
  validConfig: async (dir) => ({ path: await jsonArray(dir), stateEvery: 1 }),
});
