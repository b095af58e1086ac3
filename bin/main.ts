/** Composition root of the CLI: the built-in registry plus connector-contributed commands. */
import { readFileSync } from 'node:fs';
import { builtinRegistry } from '../connectors/index.js';
import { registerLinkedinCommands } from '../connectors/linkedin-dmp/cli.js';
import { buildProgram } from '../core/cli/program.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const program = buildProgram({
  registry: builtinRegistry,
  version: pkg.version,
  extensions: [registerLinkedinCommands],
});
await program.parseAsync(process.argv);
