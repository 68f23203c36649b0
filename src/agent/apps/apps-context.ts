// What the Apps@Work part of the agent service needs from the rest of it: the ports, the work queue, the enrolled device.
import { ServiceError } from '../../shared/agent-service-contract';
import type { AgentState } from '../core/agent-state';
import type { AgentPorts } from '../core/ports';
import type { SerialWorkQueue } from '../core/work-queue';
import type { DeviceApiClient } from '../transport/device-api-client';

export interface AppsContext {
  ports: AgentPorts;
  /** Where installs run, apart from the check-in queue. */
  work: SerialWorkQueue;
  /** The agent state, null before enrollment. */
  state(): Promise<AgentState | null>;
  /** A device API client for the enrolled server, signing with the device key. */
  api(state: AgentState): Promise<DeviceApiClient>;
  /** Records that the server retired this device at `retiredAt`: it checks in no more. */
  markRetired(retiredAt: string): Promise<void>;
}

/** The state of the enrolled device in service and a device API client for it; a ServiceError for one not enrolled, retired or without a usable key. */
export async function deviceInService(context: AppsContext): Promise<{ state: AgentState; api: DeviceApiClient }> {
  const state = await context.state();
  if (state === null) throw new ServiceError('not_enrolled', 'this device is not enrolled; enroll it with a user name and PIN first');
  if (state.retiredAt !== undefined) throw new ServiceError('retired', `this device was retired at ${state.retiredAt}; enroll it again to use it`);
  try {
    return { state, api: await context.api(state) };
  } catch (error) {
    // An unusable device key: nothing can be signed for the server until the device is enrolled again.
    throw new ServiceError('not_enrolled', error instanceof Error ? error.message : String(error));
  }
}
