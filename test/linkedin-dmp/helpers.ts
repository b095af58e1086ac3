/** Shared set-up for the linkedin-dmp tests: a real emulator over HTTP and a config pointing at it. */
import { randomUUID } from 'node:crypto';
import { LinkedInDmpConfig, type LinkedInDmpConfigInput } from '../../connectors/linkedin-dmp/config.js';
import { type Connection, connect } from '../../connectors/linkedin-dmp/connect.js';
import type { Emulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { silentLogger } from '../../core/log.js';
import type { PluginContext } from '../../core/plugin.js';

export const ACCOUNT = 'urn:li:sponsoredAccount:516848833';
export const PLATFORM = 'DMPSYNC';

/** A fresh token per call: limiters are shared per token per process, so tests must not share one. */
export function freshToken(): string {
  return `tok-${randomUUID()}`;
}

/** Fast retries and no create wait, so fault tests take milliseconds. */
export function testConfig(
  emu: Emulator,
  overrides: Partial<LinkedInDmpConfigInput> = {},
): LinkedInDmpConfig {
  return LinkedInDmpConfig.parse({
    baseUrl: emu.restUrl,
    oauthUrl: emu.oauthUrl,
    auth: { accessToken: freshToken() },
    adAccount: ACCOUNT,
    sourcePlatform: PLATFORM,
    segments: [{ sourceSegmentId: 'seg-a', name: 'Segment A' }],
    createWaitMs: 0,
    notFoundBackoffMs: 20,
    retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 40 },
    ...overrides,
  });
}

export function testConnect(config: LinkedInDmpConfig): Connection {
  return connect(config, { logger: silentLogger() });
}

export function pluginContext(): PluginContext {
  return {
    logger: silentLogger(),
    signal: new AbortController().signal,
    baseDir: process.cwd(),
    now: Date.now,
  };
}

/** A syntactically valid SHA-256 hex (not of any real email). */
export function sha(n: number): string {
  return n.toString(16).padStart(64, 'a');
}

export function user(n: number) {
  return { userIds: [{ idType: 'SHA256_EMAIL', idValue: sha(n) }] };
}

export function users(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => user(from + i));
}

/** An element LinkedIn refuses: an idType that is not an enum symbol. */
export function badUser(n: number) {
  return { userIds: [{ idType: 'GOOGLE', idValue: sha(n) }] };
}
