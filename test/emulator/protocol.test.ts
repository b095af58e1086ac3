import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../connectors/linkedin-dmp/emulator/index.js';
import { call, createSegment } from './helpers.js';

describe('emulator protocol: auth and headers', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ accessTokens: ['good'], sunsetVersions: ['202301'], segmentReadyDelayMs: 0 });
  });
  afterAll(() => emu.close());

  it('answers 401 "Empty oauth2_access_token" without a bearer token', async () => {
    const res = await call(emu, 'GET', '/dmpSegments/1', { token: null });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 });
  });

  it('rejects a non-Bearer scheme and an unknown token', async () => {
    const basic = await call(emu, 'GET', '/dmpSegments/1', {
      token: null,
      headers: { Authorization: 'Basic abc' },
    });
    expect(basic.status).toBe(401);
    const unknown = await call(emu, 'GET', '/dmpSegments/1', { token: 'nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toMatchObject({ message: 'Invalid access token', status: 401 });
  });

  it('requires LinkedIn-Version in the YYYYMM(.RR) format and answers 426 for a sunset version', async () => {
    const missing = await call(emu, 'GET', '/dmpSegments/1', {
      token: 'good',
      headers: { 'LinkedIn-Version': '' },
    });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ status: 400, code: 'VERSION_MISSING' });
    const bad = await call(emu, 'GET', '/dmpSegments/1', {
      token: 'good',
      headers: { 'LinkedIn-Version': '2026-01' },
    });
    expect(bad.status).toBe(400);
    const sunset = await call(emu, 'GET', '/dmpSegments/1', {
      token: 'good',
      headers: { 'LinkedIn-Version': '202301' },
    });
    expect(sunset.status).toBe(426);
    expect(sunset.json).toMatchObject({ status: 426, serviceErrorCode: 426, code: 'NONEXISTENT_VERSION' });
    const patch = await call(emu, 'GET', '/dmpSegments/1', {
      token: 'good',
      headers: { 'LinkedIn-Version': '202601.02' },
    });
    expect(patch.status).toBe(404);
  });

  it('requires X-Restli-Protocol-Version: 2.0.0 and echoes it', async () => {
    const res = await call(emu, 'GET', '/dmpSegments/1', {
      token: 'good',
      headers: { 'X-Restli-Protocol-Version': '1.0.0' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, serviceErrorCode: 400 });
    const ok = await call(emu, 'GET', '/dmpSegments/1', { token: 'good' });
    expect(ok.headers.get('x-restli-protocol-version')).toBe('2.0.0');
  });

  it('answers JSON errors for unknown paths and methods', async () => {
    const path = await call(emu, 'GET', '/nothingHere', { token: 'good' });
    expect(path.status).toBe(404);
    expect(path.json).toMatchObject({ status: 404 });
    const method = await call(emu, 'PUT', '/dmpSegments/1', { token: 'good', body: {} });
    expect(method.status).toBe(405);
    const noFinder = await call(emu, 'GET', '/dmpSegments', { token: 'good' });
    expect(noFinder.status).toBe(400);
  });

  it('answers 400 (not 500) for a malformed query string', async () => {
    const res = await call(emu, 'GET', '/dmpSegments?q=account&account=%E0%A4%A', { token: 'good' });
    expect(res.status).toBe(400);
    const twice = await call(emu, 'GET', '/dmpSegments?q=account&q=account', { token: 'good' });
    expect(twice.status).toBe(400);
  });

  it('rejects malformed JSON bodies with 400', async () => {
    const res = await call(emu, 'POST', '/dmpSegments', { token: 'good', body: '{"name": ' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400 });
  });

  it('supports Rest.li query tunneling (POST + X-HTTP-Method-Override: GET)', async () => {
    const id = await createSegment(emu, { name: 'Tunneled' });
    const res = await call(emu, 'POST', '/dmpSegments', {
      token: 'good',
      body: `ids=List(${id})`,
      headers: { 'X-HTTP-Method-Override': 'GET', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(Object.keys((res.json as { results: object }).results)).toEqual([id]);
  });
});
