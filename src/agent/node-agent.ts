// Wires the agent core to the default Node ports: files under the state folder, fetch, real processes, wall clock.
import { AgentService } from './agent-service';
import { createConsoleLogger } from './console-logger';
import { FetchHttpClient } from './fetch-http-client';
import { FileSecretStore } from './file-secret-store';
import { FileStateStore } from './file-state-store';
import { NodeSpawner } from './node-spawner';
import type { Logger } from './ports';
import type { RunAsUser } from './script-runner';
import { systemClock } from './system-clock';

/** Wires the default Node ports: state in stateDir (0700), device key in a 0600 file there, fetch-based HTTP, real spawn. */
export function createNodeAgent(options: { stateDir: string; logger?: Logger; runAsUser?: RunAsUser }): AgentService {
  const logger = options.logger ?? createConsoleLogger();
  return new AgentService(
    {
      http: new FetchHttpClient(),
      spawner: new NodeSpawner(),
      clock: systemClock,
      state: new FileStateStore(options.stateDir, logger),
      secrets: new FileSecretStore(options.stateDir),
      logger,
    },
    { runAsUser: options.runAsUser },
  );
}
