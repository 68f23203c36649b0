// The app as the root daemon (`Atwork --daemon`, started by the LaunchDaemon org.atwork.agent.daemon): the agent core
// with no window, serving the UIs of this Mac over the socket (agent-socket-server.ts), letting in root and whoever is
// at the console, followed as users log in, switch and log out (issue 13).
import type { Logger } from '../agent/core/ports';
import type { AgentService } from '../agent/service/agent-service';
import { createNodeAgent, lockStateFolder } from '../agent/service/node-agent';
import { startAgentSocketServer } from '../agent/transport/agent-socket-server';
import { messageOf } from '../agent/core/error-message';

/** The daemon's state on a Mac (the LaunchDaemon's ATWORK_STATE_DIR says the same). */
export const MAC_DAEMON_STATE_DIR = '/Library/Application Support/Atwork/agent';
/** The socket's folder on a Mac: beside the state, under root's /Library/Application Support/Atwork (0755). */
export const MAC_SOCKET_FOLDER = '/Library/Application Support/Atwork/socket';
/** How often the console user is looked at: a login is let in within this. */
const CONSOLE_USER_POLL_MS = 5000;

export interface DaemonOptions {
  stateDir: string;
  socketFolder: string;
  logger: Logger;
  /** Who is at the console now, or null at the login window (MacConsoleUser on a Mac). */
  consoleUser: { currentUser(): Promise<{ uid: number } | null> };
  pollMs?: number;
}

export interface RunningDaemon {
  service: AgentService;
  socketPath: string;
  /** Looks at the console user now rather than at the next poll. */
  followConsoleUser(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { logger } = options;
  // One agent per state folder: a second daemon, or the app in single-process mode, is refused with the holder's pid.
  const lock = await lockStateFolder(options.stateDir);
  const service = createNodeAgent({ stateDir: options.stateDir, logger });
  const uidNow = async (): Promise<number | null> => {
    try {
      return (await options.consoleUser.currentUser())?.uid ?? null;
    } catch (error) {
      logger.warn('the console user cannot be told; only root may use the agent meanwhile', { reason: messageOf(error) });
      return null;
    }
  };
  let consoleUid = await uidNow();
  let socket;
  try {
    socket = await startAgentSocketServer({ service, folder: options.socketFolder, allowedUids: consoleUid === null ? [] : [consoleUid] });
  } catch (error) {
    await lock.release();
    throw error;
  }
  service.start();
  logger.info('daemon started', { socketPath: socket.socketPath, consoleUid });

  let following: Promise<void> = Promise.resolve();
  const followConsoleUser = (): Promise<void> => {
    // One look at a time, and a failed one does not stop the next.
    following = following
      .then(async () => {
        const uid = await uidNow();
        if (uid === consoleUid) return;
        await socket.allowUsers(uid === null ? [] : [uid]);
        consoleUid = uid;
        logger.info('the console user changed; the agent now lets in root and them', { consoleUid: uid });
      })
      .catch((error: unknown) => logger.error('could not follow the console user', { reason: messageOf(error) }));
    return following;
  };
  const timer = setInterval(() => void followConsoleUser(), options.pollMs ?? CONSOLE_USER_POLL_MS);

  return {
    service,
    socketPath: socket.socketPath,
    followConsoleUser,
    stop: async () => {
      clearInterval(timer);
      await following;
      await socket.close();
      await service.stop();
      await lock.release();
    },
  };
}
