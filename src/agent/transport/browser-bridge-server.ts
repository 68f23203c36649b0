// Serves the built UI and the agent service to a browser on 127.0.0.1 with a per-run token (development and e2e only, DESIGN.md §1).
import { randomBytes } from 'node:crypto';
import { realpath, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AgentServiceContract } from '../../shared/agent-service-contract';
import { contentSecurityPolicy, serverImageSource } from '../../shared/content-security-policy';
import { contentTypeOf } from '../../shared/static-content-types';
import {
  agentServiceRoutes,
  bearerTokenOf,
  closeServiceServer,
  COMMON_HEADERS,
  createServiceServer,
  isServicePath,
  refuseToken,
  sendJson,
  tokenDigest,
  tokenMatches,
} from './agent-service-http';

export interface BrowserBridge {
  /** Where to open the UI, e.g. http://127.0.0.1:PORT/#token=... (the fragment never reaches a server log). */
  url: string;
  close(): Promise<void>;
}

export interface BrowserBridgeOptions {
  service: AgentServiceContract;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** Starts the bridge on 127.0.0.1; resolves once it listens. */
export async function startBrowserBridge(options: BrowserBridgeOptions): Promise<BrowserBridge> {
  const token = randomBytes(32).toString('base64url');
  const digest = tokenDigest(token);
  const staticRoot = await realpath(options.staticDir);
  const routes = agentServiceRoutes(options.service);
  let port = 0;
  const server = createServiceServer(handle);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // DNS-rebinding defence: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    const host = request.headers.host;
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendJson(response, 403, { error: 'Refused a request for another host name.' });
      return;
    }
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    if (isServicePath(pathname)) {
      const sent = bearerTokenOf(request.headers.authorization);
      if (sent === null || !tokenMatches(sent, digest)) {
        refuseToken(response, 'Missing or wrong bridge token; open the URL the agent printed.');
        return;
      }
      await routes.handle(pathname, request, response);
      return;
    }
    if (request.method !== 'GET') {
      response.setHeader('Allow', 'GET');
      sendJson(response, 405, { error: 'Only GET is allowed for static files.' });
      return;
    }
    await serveStatic(pathname, response);
  }

  async function serveStatic(pathname: string, response: ServerResponse): Promise<void> {
    const file = await resolveStaticFile(staticRoot, pathname);
    if (file === null) {
      sendJson(response, 404, { error: 'Not found.' });
      return;
    }
    const body = await readFile(file);
    const contentType = contentTypeOf(file);
    const headers: Record<string, string | number> = { ...COMMON_HEADERS, 'Content-Type': contentType, 'Content-Length': body.length };
    // The page's policy, the same as the app's scheme in Electron: images may also come from the enrolled server
    // (catalog icons). Only a document's policy applies, so scripts and styles are served without asking for the status.
    if (contentType.startsWith('text/html')) {
      const { serverUrl } = await options.service.getStatus();
      headers['Content-Security-Policy'] = contentSecurityPolicy(serverImageSource(serverUrl));
    }
    response.writeHead(200, headers);
    response.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: () => closeServiceServer(server, routes),
  };
}

/**
 * Maps a request path to a file inside root, or null.
 *
 * Decodes once, refuses NUL bytes, resolves symlinks and then checks containment, so `..`, `%2e%2e`,
 * `%2f` and links pointing out of root all end as 404.
 */
async function resolveStaticFile(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  try {
    const real = await realpath(path.resolve(root, relative));
    if (!isInside(root, real)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
