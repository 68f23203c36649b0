// The app's privileged scheme: atwork-app://app/ serves the built UI (dist/renderer) with its CSP, and nothing else.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { contentTypeOf } from '../shared/static-content-types';
import { APP_HOST, APP_SCHEME } from './app-origin';

/**
 * Registered before the app is ready (protocol.registerSchemesAsPrivileged).
 *
 * standard: relative URLs, a real origin and web storage; secure: a secure context like https; supportFetchAPI: the
 * page's own fetch; codeCache: V8 keeps the compiled bundle between launches, as it does for https pages, so only the
 * first start compiles it (a second visit's first paint is about a third faster, docs/benchmarks.md). Not bypassCSP,
 * not corsEnabled: no other origin may read the app's files.
 */
export const APP_SCHEME_REGISTRATION: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/**
 * The file inside rootDir that requestUrl names, or null: another scheme or host, a path that decodes badly or holds
 * NUL, or one that resolves outside rootDir (`..`, `%2e%2e`, `..%2f` alike: checked on the resolved path).
 * A path ending in `/` names its index.html.
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username !== '' || url.password !== '') return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname.endsWith('/')) pathname += 'index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${pathname}`);
  return file.startsWith(`${root}${path.sep}`) ? file : null;
}

export interface AppProtocolOptions {
  /** Absolute path of the built UI (dist/renderer). */
  rootDir: string;
  /** The policy for the response being made; it can change after enrollment (content-security-policy.ts). */
  contentSecurityPolicy(): Promise<string>;
}

/** The protocol.handle handler of the app's scheme: GET and HEAD of files inside rootDir, everything else refused. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  if (!path.isAbsolute(options.rootDir)) throw new Error(`The UI folder must be absolute, got ${options.rootDir}.`);
  return async (request) => {
    const headers = {
      'Content-Security-Policy': await options.contentSecurityPolicy(),
      'X-Content-Type-Options': 'nosniff',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method Not Allowed', { ...headers, Allow: 'GET, HEAD' });
    }
    const file = resolveAppFile(options.rootDir, request.url);
    // Missing, a folder, or unreadable: to the page, all the same 404.
    const body = file === null ? null : await readFile(file).catch(() => null);
    if (file === null || body === null) return textResponse(404, 'Not Found', headers);
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...headers, 'Content-Type': contentTypeOf(file) },
    });
  };
}

function textResponse(status: number, text: string, headers: Record<string, string>): Response {
  return new Response(text, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
}
