// Device check-in (DESIGN.md §2): records the device's state and hands out its agent configuration, script tickets and commands.
import { DEFAULT_AGENT_CONFIG } from '../../shared/agent-config';
import { DEVICE_API_PREFIX, type CheckinRequest, type CheckinResponse } from '../../shared/protocol';
import type { AuthenticatedDevice } from './device-auth';
import { loadDeviceAssignments, recordTickets } from '../configurations/device-assignments';
import { recordCheckin } from '../devices/device-queries';
import { storedInventoryDigest } from '../devices/inventory-queries';
import type { ServerContext } from '../app/server-context';
import { issueTicket } from './ticket-issuer';

/** Tickets outlive two missed check-ins, and never less than an hour, so a late device still runs what it was given. */
function ticketTtlSeconds(checkinFrequencyMinutes: number): number {
  return Math.max(3600, 2 * checkinFrequencyMinutes * 60);
}

/**
 * Whether the device should send its inventory: its digest names another list than the stored one, or none is stored.
 * A check-in without a digest (an older agent, or one that has not collected yet) has nothing to send (issue 13).
 */
async function inventoryWanted(ctx: ServerContext, deviceId: string, digest: string | undefined): Promise<boolean> {
  if (digest === undefined) return false;
  return (await storedInventoryDigest(ctx.db, deviceId)) !== digest;
}

/** Handles one check-in; every ticket of it shares one new `seq`. */
export async function checkIn(ctx: ServerContext, device: AuthenticatedDevice, request: CheckinRequest): Promise<CheckinResponse> {
  const now = ctx.now();
  const seq = await recordCheckin(ctx.db, device.id, { at: now.toISOString(), agentVersion: request.agentVersion, osVersion: request.osVersion });

  const assignments = await loadDeviceAssignments(ctx.db, device);
  const settings = assignments.agentConfiguration?.settings ?? null;
  const frequency = (settings ?? DEFAULT_AGENT_CONFIG).checkinFrequencyMinutes;
  // Read once per check-in: a rotation or revocation by any replica applies to the very next ticket.
  const signer = await ctx.tenant.keyring.currentSigner(now);
  // Recorded before any ticket leaves, so a result of every ticket given is accepted even once it is distributed to no one.
  if (settings) await recordTickets(ctx.db, device.id, assignments.deliverable, now);
  const scripts = settings
    ? await Promise.all(
        assignments.deliverable.map(async (configuration) => ({
          configurationId: configuration.id,
          version: configuration.version,
          ticket: await issueTicket(
            {
              deviceId: device.id,
              devicePublicJwk: device.publicJwk,
              seq,
              configurationId: configuration.id,
              configurationVersion: configuration.version,
              script: configuration.script,
              blob: {
                path: `${DEVICE_API_PREFIX}/blobs/${configuration.blob.id}`,
                sha256: configuration.blob.sha256,
                size: configuration.blob.size,
                key: configuration.blob.contentKey,
              },
              limits: { maxRunTimeSeconds: settings.maxRunTimeSeconds, maxResponseSizeKb: settings.maxResponseSizeKb },
              schedule: configuration.schedule,
              variables: configuration.variables,
            },
            signer,
            { now, ttlSeconds: ticketTtlSeconds(frequency) },
          ),
        })),
      )
    : [];
  return {
    agentConfig: settings,
    scripts,
    // Until the agent confirms through the retire route, every check-in carries the same command (issue 13).
    commands: device.retireCommandId === null ? [] : [{ id: device.retireCommandId, type: 'retire' }],
    nextCheckinSeconds: frequency * 60,
    serverTime: now.toISOString(),
    revocationList: await ctx.tenant.keyring.revocationList(now),
    inventoryWanted: await inventoryWanted(ctx, device.id, request.inventoryDigest),
  };
}
