/**
 * Runs the emulator as a process: `tsx connectors/linkedin-dmp/emulator/main.ts --port 8080 ...`.
 * Prints one JSON line `{"url": ..., "restUrl": ..., "oauthUrl": ...}` on stdout once listening;
 * closes on SIGTERM/SIGINT.
 */
import { pathToFileURL } from 'node:url';
import { EMULATOR_USAGE, parseEmulatorArgs } from './cli-args.js';
import { type Emulator, startEmulator } from './index.js';

export { parseEmulatorArgs } from './cli-args.js';

/** Starts the emulator from flags, reports its URLs on `out`, and closes it on SIGTERM/SIGINT. */
export async function runEmulatorMain(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<Emulator> {
  const emulator = await startEmulator(parseEmulatorArgs(argv));
  const stop = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    void emulator.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  out.write(
    `${JSON.stringify({ url: emulator.url, restUrl: emulator.restUrl, oauthUrl: emulator.oauthUrl })}\n`,
  );
  return emulator;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runEmulatorMain(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${EMULATOR_USAGE}\n`);
    process.exitCode = 2;
  });
}
