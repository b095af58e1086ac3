/** Builds the configured state store. */
import { isAbsolute, resolve } from 'node:path';
import type { PipelineConfig } from '../config/pipeline.js';
import { PgStore } from './pg-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { StateStore } from './store.js';

export async function openStore(state: PipelineConfig['state'], baseDir: string): Promise<StateStore> {
  if (state.type === 'postgres') {
    const store = new PgStore({ ...(state.url ? { url: state.url } : {}), schema: state.schema });
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  const path =
    state.path === ':memory:' || isAbsolute(state.path) ? state.path : resolve(baseDir, state.path);
  const store = new SqliteStore(path, {
    stagingWorker: state.stagingWorker,
    rowCache: state.rowCache,
    prewarm: state.prewarm,
  });
  await store.migrate();
  return store;
}
