/**
 * The HTTP front: routing, the header and auth checks LinkedIn applies, fault injection, rate limits,
 * request counting and reply serialization. Admin paths (/__admin) bypass all of it.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AdminApi, handleAdmin } from './admin.js';
import type { Ctx, Env } from './env.js';
import type { FaultDecision, FaultInjector } from './faults.js';
import { ApiError, errorBody, type Reply, readBody } from './http.js';
import type { TokenStore } from './oauth.js';
import { type RateLimiter, THROTTLE_CODE, THROTTLE_MESSAGES, type Throttle } from './rate-limit.js';
import { parseRawQuery } from './restli.js';
import { type Route, resolveRoute } from './routes.js';

export interface ServerDeps {
  env: Env;
  tokens: TokenStore;
  faults: FaultInjector;
  limiter: RateLimiter;
  admin: AdminApi;
}

const VERSION = /^\d{6}(\.\d{2})?$/;

function throttleReply(kind: Throttle): Reply {
  return { status: 429, body: errorBody(429, THROTTLE_MESSAGES[kind], THROTTLE_CODE) };
}

/** Bearer token of the request, or the 401 LinkedIn answers. */
function bearer(req: IncomingMessage): string {
  const header = req.headers.authorization?.trim() ?? '';
  if (header === '') throw new ApiError(401, 'Empty oauth2_access_token', 401);
  const m = /^Bearer(?:\s+(.*))?$/i.exec(header);
  if (!m) throw new ApiError(401, 'Unknown authentication schema', 401);
  const token = m[1]?.trim() ?? '';
  if (token === '') throw new ApiError(401, 'Empty oauth2_access_token', 401);
  return token;
}

function checkRestHeaders(req: IncomingMessage, sunset: Set<string>): void {
  const version = req.headers['linkedin-version'];
  if (typeof version !== 'string' || version === '') {
    throw new ApiError(
      400,
      'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      400,
      {
        code: 'VERSION_MISSING',
      },
    );
  }
  if (!VERSION.test(version)) {
    throw new ApiError(400, 'LinkedIn-Version must be YYYYMM or YYYYMM.RR', 400, { code: 'INVALID_VERSION' });
  }
  if (sunset.has(version)) {
    const shown = version.length === 6 ? `${version}01` : version;
    throw new ApiError(426, `Requested version ${shown} is not active`, 426, { code: 'NONEXISTENT_VERSION' });
  }
  if (req.headers['x-restli-protocol-version'] !== '2.0.0') {
    throw new ApiError(400, 'The header X-Restli-Protocol-Version: 2.0.0 is required', 400);
  }
}

function send(res: ServerResponse, reply: Reply, kind: Route['kind']): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...reply.headers };
  if (kind === 'rest') headers['x-restli-protocol-version'] = '2.0.0';
  if (reply.body === undefined) {
    if (reply.status !== 204) headers['content-length'] = '0';
    res.writeHead(reply.status, headers).end();
    return;
  }
  const json = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(json));
  res.writeHead(reply.status, headers).end(json);
}

function toReply(e: unknown): Reply {
  if (e instanceof ApiError) return e.toReply();
  return { status: 500, body: errorBody(500, 'Internal emulator error') };
}

export function createEmulatorServer(deps: ServerDeps): Server {
  const { env, tokens, faults, limiter } = deps;

  async function authorizeAndRun(route: Route, ctx: Ctx): Promise<Reply> {
    let token = '';
    if (route.kind !== 'oauth') {
      token = bearer(ctx.req);
      const state = tokens.check(token);
      if (state === 'expired') throw new ApiError(401, 'The token used in the request has expired', 65602);
      if (state === 'invalid') throw new ApiError(401, 'Invalid access token', 65600);
    }
    if (route.kind === 'rest') checkRestHeaders(ctx.req, env.opts.sunsetVersions);
    if (route.family) {
      const refused = limiter.take(token, route.family);
      if (refused) {
        env.stats.throttled++;
        return throttleReply(refused);
      }
    }
    return await route.run(ctx, env);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    let search = q < 0 ? '' : rawUrl.slice(q + 1);
    if (pathname.startsWith('/__admin')) {
      send(res, await handleAdmin(req, pathname, deps.admin), 'oauth');
      return;
    }
    let method = req.method ?? 'GET';
    let bodyPromise: Promise<Buffer> | undefined;
    const ctx: Ctx = {
      req,
      method,
      query: new Map(),
      headers: req.headers,
      body: () => {
        bodyPromise ??= readBody(req);
        return bodyPromise;
      },
    };
    let route: Route;
    try {
      const override = String(req.headers['x-http-method-override'] ?? '').toUpperCase();
      if (method === 'POST' && (override === 'GET' || override === 'DELETE')) {
        // Rest.li query tunneling: the query string travels form-encoded in the body.
        method = override;
        search = (await readBody(req)).toString('utf8');
        bodyPromise = Promise.resolve(Buffer.alloc(0));
      }
      ctx.method = method;
      ctx.query = parseRawQuery(search);
      route = resolveRoute(method, pathname, ctx.query, async (c) =>
        tokens.refresh(new URLSearchParams((await c.body()).toString('utf8'))),
      );
    } catch (e) {
      // A malformed query string: still authenticated and counted like any request.
      const kind = pathname.startsWith('/rest/') ? 'rest' : 'oauth';
      route = {
        kind,
        label: 'UNMATCHED',
        run: () => {
          throw e;
        },
      };
    }
    const stats = env.stats;
    stats.requests.total = (stats.requests.total ?? 0) + 1;
    stats.requests[route.label] = (stats.requests[route.label] ?? 0) + 1;

    const decision = faults.decide(pathname);
    try {
      await respond(req, res, route, ctx, decision);
    } finally {
      // The Nth request was served with the old tokens; from now on they are expired.
      if (decision?.expireTokensAfter) {
        tokens.expireAll();
        env.stats.faultsInjected++;
      }
    }
  }

  async function respond(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    ctx: Ctx,
    decision: FaultDecision | undefined,
  ): Promise<void> {
    if (decision) {
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.resetBefore) {
        env.stats.faultsInjected++;
        req.socket.destroy();
        return;
      }
      if (decision.error5xx) {
        env.stats.faultsInjected++;
        const status = decision.error5xx;
        send(res, { status, body: errorBody(status, STATUS_CODES[status] ?? 'Server Error') }, route.kind);
        return;
      }
      if (decision.throttle) {
        env.stats.faultsInjected++;
        env.stats.throttled++;
        send(res, throttleReply(decision.throttle), route.kind);
        return;
      }
    }
    let reply: Reply;
    try {
      reply = await authorizeAndRun(route, ctx);
    } catch (e) {
      reply = toReply(e);
    }
    if (decision?.resetAfter) {
      env.stats.faultsInjected++;
      req.socket.destroy();
      return;
    }
    send(res, reply, route.kind);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, toReply(undefined), 'oauth');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 10_000;
  return server;
}
