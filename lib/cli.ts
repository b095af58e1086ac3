#!/usr/bin/env node
/**
 * The CLI of the built package (package.json `bin` -> dist/lib/cli.js): same composition as
 * bin/main.ts (which runs from source through tsx), but finds package.json from either layout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinRegistry } from '../connectors/index.js';
import { registerLinkedinCommands } from '../connectors/linkedin-dmp/cli.js';
import { buildProgram } from '../core/cli/program.js';

// lib/cli.ts in the repo, dist/lib/cli.js once built: package.json is one or two levels up.
const pkgUrl = ['../package.json', '../../package.json']
  .map((p) => new URL(p, import.meta.url))
  .find((u) => existsSync(u));
const version = pkgUrl ? (JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string }).version : '0.0.0';

const program = buildProgram({
  registry: builtinRegistry,
  version,
  extensions: [registerLinkedinCommands],
});
await program.parseAsync(process.argv);
