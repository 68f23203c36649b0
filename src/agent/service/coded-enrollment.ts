// Enrollment as the agent service offers it: every failure a ServiceError whose code the UI can put in its own words.
import type { KeyObject } from 'node:crypto';
import { ServiceError } from '../../shared/agent-service-contract';
import { ENROLLMENT_TOKEN_PATTERN } from '../../shared/protocol';
import type { AgentState } from '../core/agent-state';
import type { AgentPorts } from '../core/ports';
import { messageOf } from '../core/error-message';
import { enrollDevice, type EnrollParams } from '../enrollment/device-enrollment';
import { normalizeServerUrl } from '../transport/device-api-client';
import { enrollmentServiceError } from '../transport/device-api-errors';

/** Refuses, in one sentence, a server URL the agent would never use or a string that is no enrollment token. */
export function checkEnrollParams(params: EnrollParams): void {
  try {
    normalizeServerUrl(params.serverUrl);
  } catch (error) {
    throw new ServiceError('invalid_input', messageOf(error));
  }
  if ('token' in params && !ENROLLMENT_TOKEN_PATTERN.test(params.token)) {
    throw new ServiceError('invalid_input', 'this is not an enrollment token: one is atwe_ followed by 43 letters, digits, - or _');
  }
}

/** Enrolls (device-enrollment.ts); a URL the agent refuses is invalid_input, a server's refusal or silence its own code. */
export async function enrollWithErrorCodes(ports: Pick<AgentPorts, 'http' | 'clock' | 'secrets'>, params: EnrollParams): Promise<{ state: AgentState; key: KeyObject }> {
  checkEnrollParams(params);
  try {
    return await enrollDevice(ports, params);
  } catch (error) {
    throw enrollmentServiceError(error);
  }
}
