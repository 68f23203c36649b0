// Where the daemon's socket and each allowed user's token live inside the socket folder, for the daemon and its clients (issue 13).
import { join } from 'node:path';

/** The token a request over the socket carries: 32 random bytes, base64url (43 characters). */
export const SOCKET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The socket every user's UI connects to: `<folder>/agent.sock`. */
export function socketPathIn(folder: string): string {
  return join(folder, 'agent.sock');
}

/** The folder of every allowed user's token folder: `<folder>/users`. */
export function usersFolderIn(folder: string): string {
  return join(folder, 'users');
}

/** The token one user's UI reads and sends with each request: `<folder>/users/<uid>/token`, that user's own, mode 0600. */
export function tokenFileIn(folder: string, uid: number): string {
  return join(usersFolderIn(folder), String(uid), 'token');
}
