import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../core/engine/sqlite-store.js';
import { describeStore } from './store-suite.js';

describeStore('SqliteStore', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'dmpsync-store-')), 'state.db');
  return { store: new SqliteStore(path), reopen: async () => new SqliteStore(path) };
});
