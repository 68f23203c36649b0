// Enrollment with user + PIN, or automated with an enrollment token: makes the device key, stores it before the server
// hears of it, and builds the first state.
import type { KeyObject } from 'node:crypto';
import type { AgentState } from '../core/agent-state';
import { DeviceApiClient, normalizeServerUrl } from '../transport/device-api-client';
import { deviceFacts, generateDeviceKey, privateKeyToPem, publicJwkOf } from './device-identity';
import type { AgentPorts } from '../core/ports';

/** A person at the Mac enrolls with their user name and PIN; the PKG of an automated enrollment brings a token. */
export type EnrollParams = { serverUrl: string; username: string; pin: string } | { serverUrl: string; token: string };

/** Generates the P-256 device key (the private key never leaves the secret store), enrolls, and returns the state to write. */
export async function enrollDevice(ports: Pick<AgentPorts, 'http' | 'clock' | 'secrets'>, params: EnrollParams): Promise<{ state: AgentState; key: KeyObject }> {
  const serverUrl = normalizeServerUrl(params.serverUrl);
  const key = generateDeviceKey();
  // Stored before the server hears of it: a device the server enrolled must never lose its key.
  await ports.secrets.writeDeviceKeyPem(privateKeyToPem(key));
  const api = new DeviceApiClient(ports.http, ports.clock, serverUrl, key);
  const identity = { publicKey: publicJwkOf(key), device: deviceFacts() };
  const answer = await api.enroll(
    'token' in params ? { method: 'token', token: params.token, ...identity } : { method: 'pin', username: params.username, pin: params.pin, ...identity },
  );
  const state: AgentState = {
    serverUrl,
    deviceId: answer.deviceId,
    tenantId: answer.tenantId,
    tenantRootCertificate: answer.tenantRootCertificate,
    agentConfig: answer.agentConfig,
    enrolledAt: ports.clock.now().toISOString(),
    enrollmentMethod: 'token' in params ? 'automated' : 'pin',
    lastCheckinAt: null,
    lastCheckinError: null,
    nextCheckinAt: null,
    replay: { highestSeq: 0, jtis: [] },
    handled: [],
    schedules: [],
    recentRuns: [],
  };
  return { state, key };
}
