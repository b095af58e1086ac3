import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Emulator,
  parseEmulatorArgs,
  startEmulator,
} from '../../connectors/linkedin-dmp/emulator/index.js';
import { batch, call, createSegment, userAdd } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../connectors/linkedin-dmp/emulator/main.ts', import.meta.url));

async function admin(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('emulator admin HTTP endpoints', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ segmentReadyDelayMs: 0 });
  });
  afterAll(() => emu.close());

  it('exposes segments, members, stats, stats reset, faults and status changes', async () => {
    const seg = await createSegment(emu, { name: 'Admin', sourceSegmentId: 'a-1' });
    await batch(emu, seg, 'users', [userAdd('b@x.io'), userAdd('a@x.io')]);

    const segments = await admin(emu.url, 'GET', '/segments');
    expect(segments.status).toBe(200);
    expect(segments.json).toEqual(emu.segments());
    expect(segments.json).toMatchObject([
      { id: seg, name: 'Admin', sourceSegmentId: 'a-1', memberCount: 2, status: 'BUILDING' },
    ]);

    const members = await admin(emu.url, 'GET', `/segments/${seg}/members`);
    expect(members.json).toEqual(emu.members(seg));
    expect(members.json).toHaveLength(2);
    expect((await admin(emu.url, 'GET', '/segments/999/members')).status).toBe(404);

    const stats = await admin(emu.url, 'GET', '/stats');
    expect(stats.json).toMatchObject({
      requests: { 'POST /dmpSegments/{id}/users': 1 },
      elements: { added: 2 },
    });
    expect((await admin(emu.url, 'POST', '/stats/reset')).status).toBe(204);
    expect(emu.stats().requests).toEqual({ total: 0 });

    expect((await admin(emu.url, 'POST', '/faults', { error5xx: { count: 1, status: 500 } })).status).toBe(
      204,
    );
    expect((await batch(emu, seg, 'users', [userAdd('c@x.io')])).status).toBe(500);
    expect((await admin(emu.url, 'POST', '/faults', { error5xx: { rate: 5 } })).status).toBe(400);
    expect((await admin(emu.url, 'POST', '/faults', {})).status).toBe(204);

    expect((await admin(emu.url, 'POST', `/segments/${seg}/status`, { status: 'EXPIRED' })).status).toBe(204);
    expect(emu.members(seg)).toEqual([]);
    expect((await call(emu, 'GET', `/dmpSegments/${seg}/destinations/LINKEDIN`)).json).toMatchObject({
      status: 'EXPIRED',
    });
    expect((await admin(emu.url, 'POST', `/segments/${seg}/status`, { status: 'GONE' })).status).toBe(400);
    expect((await admin(emu.url, 'POST', '/segments/424242/status', { status: 'READY' })).status).toBe(404);
    expect((await admin(emu.url, 'GET', '/nothing')).status).toBe(404);
    // Admin calls are not API traffic.
    expect(emu.stats().requests.total).toBe(2);
  });
});

describe('emulator main.ts', () => {
  it('parses its flags', () => {
    expect(
      parseEmulatorArgs([
        '--port',
        '8080',
        '--ready-delay-ms',
        '10',
        '--window-ms',
        '1000',
        '--users-per-window',
        '5',
      ]),
    ).toEqual({ port: 8080, segmentReadyDelayMs: 10, rateLimit: { usersPerWindow: 5, windowMs: 1000 } });
    expect(parseEmulatorArgs(['--no-rate-limit'])).toEqual({
      port: 0,
      rateLimit: { usersPerWindow: 0, companiesPerWindow: 0, dailyPerToken: null },
    });
    expect(() => parseEmulatorArgs(['--port', 'x'])).toThrow(/port/);
    expect(() => parseEmulatorArgs(['--bogus'])).toThrow();
    expect(() => parseEmulatorArgs(['--batch-validation', 'some'])).toThrow(/batch-validation/);
  });

  it('runs as a process: prints {"url"} when listening, serves admin, exits on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--port', '0', '--ready-delay-ms', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const lines = createInterface({ input: child.stdout! });
      const [line] = (await once(lines, 'line')) as [string];
      const { url, restUrl } = JSON.parse(line) as { url: string; restUrl: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(restUrl).toBe(`${url}/rest`);
      const res = await fetch(`${restUrl}/dmpSegments`, {
        method: 'POST',
        headers: {
          Authorization: 'Bearer t',
          'LinkedIn-Version': '202601',
          'X-Restli-Protocol-Version': '2.0.0',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          name: 'p',
          account: 'urn:li:sponsoredAccount:1',
          type: 'USER',
          sourcePlatform: 'P',
        }),
      });
      expect(res.status).toBe(201);
      const segments = await admin(url, 'GET', '/segments');
      expect(segments.json).toHaveLength(1);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
