/**
 * Opens a pg client from the source config, and maps pg and socket errors to the error taxonomy
 * with messages that name the server but never the password.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';
import { ConfigError, type DmpsyncError, TransientError } from '../../core/errors.js';
import { PLUGIN, type PostgresConfig } from './config.js';

/** Every value as the server's text: the same strings a CSV export would hold, no float or date surprises. */
const asText = { getTypeParser: () => (value: string) => value };

export async function clientConfig(config: PostgresConfig, baseDir: string, env = process.env) {
  let password = config.password;
  if (config.passwordEnv) {
    password = env[config.passwordEnv];
    if (password === undefined) {
      throw new ConfigError(`environment variable ${config.passwordEnv} is not set`, {
        keyPath: 'passwordEnv',
        plugin: PLUGIN,
      });
    }
  }
  if (config.passwordFile) {
    const path = resolve(baseDir, config.passwordFile);
    password = (
      await readFile(path, 'utf8').catch(() => {
        throw new ConfigError(`cannot read the password file ${config.passwordFile}`, {
          keyPath: 'passwordFile',
          plugin: PLUGIN,
        });
      })
    ).replace(/\r?\n$/, '');
  }
  const out: pg.ClientConfig = {
    ...(config.url ? { connectionString: config.url } : {}),
    ...(config.host ? { host: config.host } : {}),
    ...(config.port ? { port: config.port } : {}),
    ...(config.database ? { database: config.database } : {}),
    ...(config.user ? { user: config.user } : {}),
    ...(password !== undefined ? { password } : {}),
    connectionTimeoutMillis: config.connectTimeoutMs,
    keepAlive: true,
    types: asText,
    application_name: 'dmpsync',
    ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
  };
  if (config.ssl) {
    const { mode, ca } = config.ssl;
    out.ssl =
      mode === 'disable'
        ? false
        : mode === 'require'
          ? { rejectUnauthorized: false }
          : { rejectUnauthorized: true, ...(ca ? { ca: readFileSync(resolve(baseDir, ca), 'utf8') } : {}) };
  }
  return out;
}

export function describeServer(c: pg.ClientConfig): string {
  if (c.host || !c.connectionString)
    return `${c.host ?? process.env.PGHOST ?? 'localhost'}:${c.port ?? process.env.PGPORT ?? 5432}`;
  try {
    const u = new URL(c.connectionString);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the server in url';
  }
}

export async function connect(config: PostgresConfig, baseDir: string): Promise<pg.Client> {
  const cc = await clientConfig(config, baseDir);
  const client = new pg.Client(cc);
  // A lost connection also emits 'error' on the client; the pending call rejects with it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw mapPgError(err, describeServer(cc), 'connect');
  }
  return client;
}

const CONFIG_CODES: Record<string, string> = {
  '28P01': 'authentication failed',
  '28000': 'the server refused the login',
  '3D000': 'the database does not exist',
  '42P01': 'the table does not exist',
  '42703': 'a column does not exist',
  '42501': 'permission denied',
  '42601': 'SQL syntax error',
  '3F000': 'the schema does not exist',
};

/** pg/socket error -> ConfigError (fix the config) or TransientError (try again later). */
export function mapPgError(err: unknown, server: string, phase: 'connect' | 'query'): DmpsyncError {
  const e = err as { code?: string; message?: string };
  const detail = (e.message ?? String(err)).replace(/password=[^\s&]+/gi, 'password=***');
  if (e.code && CONFIG_CODES[e.code]) {
    return new ConfigError(`${server}: ${CONFIG_CODES[e.code]} (${detail})`, {
      plugin: PLUGIN,
      fix: 'check the connection settings and the table or query',
      cause: err,
    });
  }
  if (e.code === '57014') {
    return new TransientError(`${server}: the statement timed out or was cancelled (${detail})`, {
      plugin: PLUGIN,
      cause: err,
    });
  }
  if (phase === 'connect') {
    return new ConfigError(`cannot connect to ${server} (${detail})`, {
      plugin: PLUGIN,
      fix: 'check url/host/port and that the server is running and reachable',
      cause: err,
    });
  }
  return new TransientError(`${server}: lost the connection or the query failed (${detail})`, {
    plugin: PLUGIN,
    cause: err,
  });
}
