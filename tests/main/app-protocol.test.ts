// The app's scheme: files of the UI folder only, with their type and the CSP; traversal, other hosts and other methods refused.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_REGISTRATION, createAppProtocolHandler, resolveAppFile } from '../../src/main/app-protocol';
import { contentTypeOf } from '../../src/shared/static-content-types';

const POLICY = "default-src 'self'; img-src 'self' https://mdm.example.com";

let base: string;
let root: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'atwork-app-protocol-'));
  root = path.join(base, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Atwork</title>');
  await writeFile(path.join(root, 'assets', 'index-abc.js'), 'console.log(1);');
  await writeFile(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(path.join(root, 'assets', 'logo.svg'), '<svg/>');
  await writeFile(path.join(root, 'assets', 'data.bin'), 'bytes');
  // Beside the UI folder, with a name that starts like it: a prefix check on paths would serve it.
  await mkdir(path.join(base, 'renderer-secrets'));
  await writeFile(path.join(base, 'renderer-secrets', 'key.pem'), 'PRIVATE KEY');
  await writeFile(path.join(base, 'secret.txt'), 'secret');
  handler = createAppProtocolHandler({ rootDir: root, contentSecurityPolicy: async () => POLICY });
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function get(url: string, method = 'GET'): Promise<Response> {
  return handler(new Request(url, { method }));
}

describe('APP_SCHEME_REGISTRATION', () => {
  it('is a standard, secure scheme with fetch, and no CSP bypass, CORS or service workers', () => {
    expect(APP_SCHEME_REGISTRATION).toEqual({ scheme: 'atwork-app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } });
  });
});

describe('the app scheme handler', () => {
  it.each([
    ['atwork-app://app/', 'text/html; charset=utf-8', '<!doctype html><title>Atwork</title>'],
    ['atwork-app://app/index.html', 'text/html; charset=utf-8', '<!doctype html><title>Atwork</title>'],
    ['atwork-app://app/index.html?x=1#/catalog', 'text/html; charset=utf-8', '<!doctype html><title>Atwork</title>'],
    ['atwork-app://app/assets/index-abc.js', 'text/javascript; charset=utf-8', 'console.log(1);'],
    ['atwork-app://app/assets/index-abc.css', 'text/css; charset=utf-8', 'body{}'],
    ['atwork-app://app/assets/logo.svg', 'image/svg+xml', '<svg/>'],
    ['atwork-app://app/assets/data.bin', 'application/octet-stream', 'bytes'],
    ['atwork-app://app/assets/..%2findex.html', 'text/html; charset=utf-8', '<!doctype html><title>Atwork</title>'],
  ])('serves %s as %s with the CSP', async (url, type, body) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('content-security-policy')).toBe(POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(body);
  });

  it.each([
    'atwork-app://app/missing.html',
    'atwork-app://app/assets',
    'atwork-app://app/assets/',
    // Outside the folder, however it is spelled.
    'atwork-app://app/..%2fsecret.txt',
    'atwork-app://app/..%2F..%2F..%2Fetc%2Fpasswd',
    'atwork-app://app/%2e%2e%2fsecret.txt',
    'atwork-app://app/..%2frenderer-secrets%2fkey.pem',
    'atwork-app://app/assets/..%2f..%2fsecret.txt',
    'atwork-app://app/%2Fetc%2Fpasswd/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    // A path that does not decode, and NUL.
    'atwork-app://app/%E0%A4%A',
    'atwork-app://app/index.html%00.js',
    // Not the app's host.
    'atwork-app://evil/index.html',
    'atwork-app://app.evil/index.html',
    'atwork-app://app:8080/index.html',
  ])('answers %s with 404 and the CSP', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(POLICY);
    expect(await response.text()).toBe('Not Found');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('atwork-app://app/index.html', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('refuses %s', async (method) => {
    const response = await get('atwork-app://app/index.html', method);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('asks for the policy at every response, so a new enrollment applies to the next page', async () => {
    let policy = "img-src 'self'";
    const following = createAppProtocolHandler({ rootDir: root, contentSecurityPolicy: async () => policy });
    expect((await following(new Request('atwork-app://app/'))).headers.get('content-security-policy')).toBe("img-src 'self'");
    policy = "img-src 'self' https://mdm.example.com";
    expect((await following(new Request('atwork-app://app/'))).headers.get('content-security-policy')).toBe(policy);
  });

  it('refuses a relative UI folder', () => {
    expect(() => createAppProtocolHandler({ rootDir: 'dist/renderer', contentSecurityPolicy: async () => POLICY })).toThrow('must be absolute');
  });
});

describe('resolveAppFile', () => {
  it.each([
    ['atwork-app://app/', 'index.html'],
    ['atwork-app://app/assets/index-abc.js', 'assets/index-abc.js'],
    ['atwork-app://app/a/../assets/x.js', 'assets/x.js'],
    ['atwork-app://app/a%20b.png', 'a b.png'],
    ['atwork-app://app/..%2f..%2fetc%2fpasswd', null],
    // Chromium hands these over as atwork-app://app/; Node's parser leaves their path empty, which names no file.
    ['atwork-app://app/..', null],
    ['atwork-app://app/..%2f', null],
    ['atwork-app://app/.%2e', null],
    ['atwork-app://app/%00', null],
    ['atwork-app://user@app/index.html', null],
    ['atwork-app://app:1/index.html', null],
    ['file:///etc/passwd', null],
    ['https://app/index.html', null],
    ['not a url', null],
  ])('%s -> %s', (url, relative) => {
    expect(resolveAppFile('/srv/ui', url)).toBe(relative === null ? null : path.join('/srv/ui', relative));
  });
});

describe('contentTypeOf', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['INDEX.HTML', 'text/html; charset=utf-8'],
    ['a.mjs', 'text/javascript; charset=utf-8'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.png', 'image/png'],
    ['a.woff2', 'font/woff2'],
    ['a', 'application/octet-stream'],
    ['a.exe', 'application/octet-stream'],
  ])('%s -> %s', (file, type) => {
    expect(contentTypeOf(file)).toBe(type);
  });
});
