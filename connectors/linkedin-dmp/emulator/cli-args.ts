/** Command-line flags of the emulator (shared by main.ts and the `dmpsync emulator` command). */
import { parseArgs } from 'node:util';
import type { EmulatorOptions } from './types.js';

export const EMULATOR_USAGE = `Usage: emulator [--port N] [--host H] [--ready-delay-ms N] [--building-to-ready-ms N]
  [--updating-to-ready-ms N] [--window-ms N] [--users-per-window N] [--companies-per-window N]
  [--daily-per-token N] [--no-rate-limit] [--batch-validation partial|all_or_nothing]
  [--access-token T]... [--sunset-version V]... [--seed N]`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer`);
  return Number(v);
}

/** Parses flags (without the node/script prefix) into EmulatorOptions; throws on unknown or bad flags. */
export function parseEmulatorArgs(argv: readonly string[]): EmulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'ready-delay-ms': { type: 'string' },
      'building-to-ready-ms': { type: 'string' },
      'updating-to-ready-ms': { type: 'string' },
      'window-ms': { type: 'string' },
      'users-per-window': { type: 'string' },
      'companies-per-window': { type: 'string' },
      'daily-per-token': { type: 'string' },
      'no-rate-limit': { type: 'boolean' },
      'batch-validation': { type: 'string' },
      'access-token': { type: 'string', multiple: true },
      'sunset-version': { type: 'string', multiple: true },
      seed: { type: 'string' },
    },
  });
  const mode = values['batch-validation'];
  if (mode !== undefined && mode !== 'partial' && mode !== 'all_or_nothing') {
    throw new Error('--batch-validation must be partial or all_or_nothing');
  }
  const windowMs = int('window-ms', values['window-ms']);
  if (windowMs === 0) throw new Error('--window-ms must be > 0');
  const opts: EmulatorOptions = {
    port: int('port', values.port) ?? 0,
    host: values.host,
    segmentReadyDelayMs: int('ready-delay-ms', values['ready-delay-ms']),
    buildingToReadyMs: int('building-to-ready-ms', values['building-to-ready-ms']),
    updatingToReadyMs: int('updating-to-ready-ms', values['updating-to-ready-ms']),
    batchValidation: mode,
    accessTokens: values['access-token'],
    sunsetVersions: values['sunset-version'],
    seed: int('seed', values.seed),
    rateLimit: values['no-rate-limit']
      ? { usersPerWindow: 0, companiesPerWindow: 0, dailyPerToken: null, windowMs }
      : {
          usersPerWindow: int('users-per-window', values['users-per-window']),
          companiesPerWindow: int('companies-per-window', values['companies-per-window']),
          dailyPerToken: int('daily-per-token', values['daily-per-token']),
          windowMs,
        },
  };
  // Drop undefined keys so defaults apply and the result prints cleanly.
  return JSON.parse(JSON.stringify(opts)) as EmulatorOptions;
}
