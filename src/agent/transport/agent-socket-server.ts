// Serves the agent service to the UIs on this Mac over a Unix socket, from the root daemon, letting in only the console user and root (issue 13).
import { randomBytes } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentServiceContract } from '../../shared/agent-service-contract';
import { agentServiceRoutes, bearerTokenOf, closeServiceServer, createServiceServer, refuseToken, tokenDigest, tokenMatches } from './agent-service-http';
import { clearStaleSocket, prepareSocketFolder, removeUsersFolder, removeUserToken, resetUsersFolder, writeUserToken } from './agent-socket-folder';
import { socketPathIn } from './agent-socket-paths';

// Who is calling: Node has no way to read a Unix socket's peer credentials (SO_PEERCRED on Linux, getpeereid or
// LOCAL_PEERCRED on macOS), and no maintained npm module offers them for both (checked December 2026: `sockopt`
// reads only int-sized options, `node-unix-socket` has no peer credentials, no other package was found). So the
// daemon hands each allowed uid a random token in a file only that uid and root can read, and every request proves
// its uid by carrying it: a process that can read the file is that user's or root's. The socket itself is 0666 so
// that any UI can connect and hear the one-sentence refusal. See docs/architecture.md, "The daemon's socket".

/** Connections the socket keeps at once: a few per UI; anyone local can connect, so it is capped. */
const MAX_CONNECTIONS = 64;
/** Event streams at once: one per UI window host, a few users at most. */
const MAX_STREAMS = 16;
/** A connection that has not sent its request headers by then is dropped (an idle local client holds a slot). */
const HEADERS_TIMEOUT_MS = 10_000;

const REFUSED = "Missing or wrong agent token; only the console user's Atwork and root may use the agent.";

export interface AgentSocketServerOptions {
  service: AgentServiceContract;
  /** The folder for the socket and the token files, in a root-owned place (e.g. /var/run/atwork); made 0755 if missing. */
  folder: string;
  /** Who may connect besides the daemon's own uid (root): the console user, or none while nobody is logged in. */
  allowedUids: readonly number[];
}

export interface AgentSocketServer {
  socketPath: string;
  /**
   * Lets in exactly these uids and the daemon's own, each with a new token (the console user changed, or logged out):
   * the tokens, token files and open requests of everyone else end.
   */
  allowUsers(uids: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

/** Checks the folder, writes the tokens and listens on `<folder>/agent.sock`; resolves once it listens. */
export async function startAgentSocketServer(options: AgentSocketServerOptions): Promise<AgentSocketServer> {
  const { uid: ownUid, gid: ownGid } = ownIdentity();
  const { folder } = options;
  const socketPath = socketPathIn(folder);
  await prepareSocketFolder(folder, ownUid);
  await clearStaleSocket(socketPath);
  await resetUsersFolder(folder);

  const routes = agentServiceRoutes(options.service, { maxStreams: MAX_STREAMS });
  /** Each allowed uid's token digest. */
  const digests = new Map<number, Buffer>();
  /** The uid each open response was let in as, so taking a uid's access away ends its streams too. */
  const openResponses = new Map<ServerResponse, number>();

  const server = createServiceServer(async (request: IncomingMessage, response: ServerResponse) => {
    const uid = uidOf(request.headers.authorization);
    if (uid === null) {
      refuseToken(response, REFUSED);
      return;
    }
    openResponses.set(response, uid);
    response.once('close', () => openResponses.delete(response));
    await routes.handle((request.url ?? '/').split('?')[0] ?? '/', request, response);
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;

  /** The uid whose token the header carries, or null; every token is compared, so the time says nothing of which matched. */
  function uidOf(header: string | undefined): number | null {
    const sent = bearerTokenOf(header);
    if (sent === null) return null;
    let found: number | null = null;
    for (const [uid, digest] of digests) if (tokenMatches(sent, digest)) found = uid;
    return found;
  }

  let changes = Promise.resolve();
  function allowUsers(uids: readonly number[]): Promise<void> {
    const invalid = uids.find((uid) => !Number.isSafeInteger(uid) || uid < 0);
    if (invalid !== undefined) return Promise.reject(new Error(`Refused to let uid ${invalid} use the agent: a uid is a whole number from 0.`));
    // One change at a time: two quick console-user switches must not leave the first user's token behind.
    const change = changes.then(async () => {
      const allowed = new Set([ownUid, ...uids]);
      for (const uid of [...digests.keys()].filter((uid) => !allowed.has(uid))) {
        digests.delete(uid);
        await removeUserToken(folder, uid);
      }
      for (const uid of allowed) {
        const token = randomBytes(32).toString('base64url');
        await writeUserToken(folder, uid, ownGid, token);
        digests.set(uid, tokenDigest(token));
      }
      for (const [response, uid] of openResponses) if (!allowed.has(uid)) response.destroy();
    });
    changes = change.catch(() => undefined);
    return change;
  }

  try {
    await allowUsers(options.allowedUids);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Any local user may connect and be refused in one sentence; the token, not the socket's mode, decides who is let in.
    await chmod(socketPath, 0o666);
  } catch (error) {
    if (server.listening) await closeServiceServer(server, routes);
    await removeUsersFolder(folder);
    throw error;
  }

  return {
    socketPath,
    allowUsers,
    close: async () => {
      await closeServiceServer(server, routes);
      digests.clear();
      await removeUsersFolder(folder);
    },
  };
}

/** The daemon's own uid and gid: root's in the daemon, the test runner's under tests. */
function ownIdentity(): { uid: number; gid: number } {
  if (process.getuid === undefined || process.getgid === undefined) throw new Error('The agent socket needs a POSIX system (macOS or Linux).');
  return { uid: process.getuid(), gid: process.getgid() };
}
