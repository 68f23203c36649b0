// Which server this device is enrolled with, as the main process knows it: the agent's status, kept up to date.
import type { AgentServiceContract } from '../shared/agent-service-contract';

/**
 * Follows the agent's status for the app's lifetime; returns the function that answers the enrolled server's URL,
 * or null before enrollment (or when the status cannot be read).
 *
 * The status is read once at start, then taken from every statusChanged, so after enrollment the next response gets
 * the new server's origin. Until the first read settles the answer waits for it, rather than say "none" and have the
 * first window load with a policy that refuses the server's images.
 */
export function followEnrolledServer(service: Pick<AgentServiceContract, 'getStatus' | 'onStatusChanged'>): () => Promise<string | null> {
  let latest: string | null = null;
  let heardChange = false;
  service.onStatusChanged((status) => {
    heardChange = true;
    latest = status.serverUrl;
  });
  // A change heard while the first read was under way is newer than what that read returns.
  const firstRead = service.getStatus().then(
    (status) => {
      if (!heardChange) latest = status.serverUrl;
    },
    // An unreadable status leaves images at 'self' only: the safe side.
    () => undefined,
  );
  return async () => {
    await firstRead;
    return latest;
  };
}
