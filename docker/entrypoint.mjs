#!/usr/bin/env node
// Container entrypoint (ENTRYPOINT and AIRBYTE_ENTRYPOINT): starts the dmpsync CLI in a child Node
// whose heap is sized from the container's memory limit, and relays SIGTERM/SIGINT to it so a
// stopping pod finishes its in-flight batches (the CLI handles the signal) instead of being cut off.
// Plain JavaScript on purpose: it runs before, and independently of, the compiled package.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// DMPSYNC_CLI: the script to run (tests point it elsewhere); DMPSYNC_CGROUP_ROOT: where cgroup files live.
const cli = process.env.DMPSYNC_CLI ?? join(here, '..', 'dist', 'lib', 'cli.js');
const cgroupRoot = process.env.DMPSYNC_CGROUP_ROOT ?? '/sys/fs/cgroup';
// Share of the memory limit given to the V8 heap; the rest is for buffers, SQLite and native code.
const HEAP_SHARE = Number(process.env.DMPSYNC_HEAP_SHARE ?? 0.75);
const MIN_HEAP_MB = 128;

/** The container's memory limit in bytes (cgroup v2, then v1), or undefined when unlimited. */
export function memoryLimitBytes(root = cgroupRoot) {
  for (const file of ['memory.max', 'memory/memory.limit_in_bytes']) {
    let text;
    try {
      text = readFileSync(join(root, file), 'utf8').trim();
    } catch {
      continue;
    }
    if (text === 'max') return undefined;
    const n = Number(text);
    // cgroup v1 reports "unlimited" as a huge number close to 2^63.
    if (Number.isFinite(n) && n > 0 && n < 2 ** 50) return n;
    return undefined;
  }
  return undefined;
}

/** Node flags for the child: --max-old-space-size unless the user already set one. */
export function heapFlags(limit = memoryLimitBytes(), nodeOptions = process.env.NODE_OPTIONS ?? '') {
  if (limit === undefined || nodeOptions.includes('--max-old-space-size')) return [];
  const mb = Math.max(MIN_HEAP_MB, Math.floor((limit / 1024 / 1024) * HEAP_SHARE));
  return [`--max-old-space-size=${mb}`];
}

function main() {
  const child = spawn(process.execPath, [...heapFlags(), cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // The first signal asks the CLI to stop gracefully; a second one makes it exit at once (its own rule).
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    process.stderr.write(`entrypoint: cannot start ${cli}: ${err.message}\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    // Killed by a signal: the shell convention 128 + signal number (SIGTERM -> 143).
    const signals = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
    process.exitCode = code ?? 128 + (signals[signal] ?? 0);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
