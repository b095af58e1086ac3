import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedSpecs, SPEC_DIR } from '../spec/generate.js';

describe('spec/ JSON Schemas', () => {
  for (const [rel, text] of generatedSpecs()) {
    it(`${rel} matches the code (run \`npm run spec:generate\` after changing a schema)`, () => {
      let committed = '';
      try {
        committed = readFileSync(join(SPEC_DIR, rel), 'utf8');
      } catch {
        committed = '(missing)';
      }
      expect(committed).toBe(text);
    });
  }
});
