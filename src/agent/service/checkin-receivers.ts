// Hands each part of a check-in answer to its receiver, one per capability, registered here and isolated from each other (DESIGN.md §1, issue 10).
import type { CheckinResponse } from '../../shared/protocol';
import { acceptRevocationList } from '../trust/replay-record';
import { receiverFailedEvent, scheduleSignerRevokedEvent } from '../outbox/report-events';
import { verifyRevocationList } from '../trust/revocation-list';
import { revokedSchedules, unassignedSchedules, withoutSchedule } from '../delivery/scheduled-configurations';
import { deliverScript, needsDelivery, type DeliveryContext } from '../delivery/script-delivery';
import type { SerialWorkQueue } from '../core/work-queue';
import { messageOf } from '../core/error-message';
import type { InventoryReporter } from '../inventory/inventory-reporter';

/** Carries out the server's retire command: confirms it, then removes the agent (apps/device-retirement.ts). */
export interface RetireCommandHandler {
  carryOutRetireCommand(commandId: string): Promise<void>;
}

/** What a receiver may use: the delivery context of this check-in, the queue for work that can take minutes, and retiring. */
export interface CheckinContext extends DeliveryContext {
  work: SerialWorkQueue;
  retirement: RetireCommandHandler;
}

/** Takes care of one part of a check-in answer; it runs on the check-in queue, so long work goes to `context.work`. */
export interface CheckinReceiver {
  /** The part of the answer it takes care of, as the log and the device event name it, e.g. "revocation list". */
  readonly name: string;
  receive(answer: CheckinResponse, context: CheckinContext): Promise<void>;
}

export interface ReceiverFailure {
  receiver: string;
  error: unknown;
}

const agentConfiguration: CheckinReceiver = {
  name: 'agent configuration',
  async receive(answer, context) {
    if (JSON.stringify(answer.agentConfig) === JSON.stringify(context.state().agentConfig)) return;
    await context.update((s) => ({ ...s, agentConfig: answer.agentConfig }));
    context.notify();
  },
};

const revocationList: CheckinReceiver = {
  name: 'revocation list',
  async receive(answer, context) {
    const list = answer.revocationList;
    if (list !== undefined) {
      const verified = await verifyRevocationList(Buffer.from(list, 'base64'), context.state().tenantRootCertificate, context.ports.clock.now());
      await context.update((s) => ({ ...s, replay: acceptRevocationList(s.replay, verified) }));
    }
    // At every check-in, not only with a new list, so a stop a crash cut short is finished at the next one (issue 10).
    await stopRevokedSchedules(context);
  },
};

const scriptsAndSchedules: CheckinReceiver = {
  name: 'scripts and schedules',
  async receive(answer, context) {
    for (const assignment of answer.scripts) {
      if (!needsDelivery(context.state(), assignment)) continue;
      // Each delivery on its own: one whose blob server is down is tried again at the next check-in, the others go on.
      await deliverScript(context, assignment).catch((error: unknown) =>
        context.ports.logger.error(`deliver configuration ${assignment.configurationId} v${assignment.version} failed`, { reason: messageOf(error) }),
      );
    }
    for (const stale of unassignedSchedules(context.state(), answer.scripts)) {
      await context.update((s) => withoutSchedule(s, stale.configurationId, stale.version));
      context.ports.logger.info('stopped a recurring script schedule: its configuration version is no longer assigned', { configurationId: stale.configurationId, version: stale.version });
    }
  },
};

const commands: CheckinReceiver = {
  name: 'commands',
  async receive(answer, context) {
    const retire = answer.commands.find((command) => command.type === 'retire');
    const kept = context.state().retireCommandId;
    if (retire === undefined) {
      // The server answered without it, so it no longer asks: the device is in service.
      if (kept !== undefined) await context.update((s) => ({ ...s, retireCommandId: undefined }));
      return;
    }
    // Kept in the state before the work starts, so the agent knows what it is carrying out across a restart (issue 13).
    if (kept !== retire.id) await context.update((s) => ({ ...s, retireCommandId: retire.id }));
    // Retire removes the agent, which takes a while: it belongs on the work queue, not on the check-in queue.
    context.work.enqueue(`command retire ${retire.id}`, () => context.retirement.carryOutRetireCommand(retire.id));
  },
};

/**
 * Every receiver of a check-in answer, in the order they run.
 *
 * The revocation list comes before scripts and schedules, so a signing certificate revoked in an answer is refused
 * for every ticket of that same answer (issue 4).
 */
export const CHECKIN_RECEIVERS: readonly CheckinReceiver[] = [agentConfiguration, revocationList, scriptsAndSchedules, commands];

/** Sends the agent's inventory when the server holds another one than the check-in's digest named (issue 13). */
export function inventoryReceiver(inventory: Pick<InventoryReporter, 'send'>): CheckinReceiver {
  return {
    name: 'inventory',
    async receive(answer, context) {
      if (answer.inventoryWanted) await inventory.send(context.api, context.state().deviceId);
    },
  };
}

/** The receivers of an agent: CHECKIN_RECEIVERS, then the one that holds the agent's inventory. */
export function agentCheckinReceivers(inventory: Pick<InventoryReporter, 'send'>): readonly CheckinReceiver[] {
  return [...CHECKIN_RECEIVERS, inventoryReceiver(inventory)];
}

/**
 * Runs receivers one after another, each isolated as Fleet orbit's RunConfigReceivers: one that throws is logged and
 * reported as a device event, and the others still run. A receiver failing the same way at every check-in is
 * reported once, until it succeeds again.
 */
export class CheckinReceivers {
  private readonly reported = new Map<string, string>();

  constructor(private readonly receivers: readonly CheckinReceiver[] = CHECKIN_RECEIVERS) {}

  /** Applies `answer`; resolves with the failures (empty when every receiver succeeded), never rejects. */
  async apply(answer: CheckinResponse, context: CheckinContext): Promise<ReceiverFailure[]> {
    const failures: ReceiverFailure[] = [];
    for (const receiver of this.receivers) {
      try {
        await receiver.receive(answer, context);
        this.reported.delete(receiver.name);
      } catch (error) {
        failures.push({ receiver: receiver.name, error });
        await this.report(receiver.name, messageOf(error), context);
      }
    }
    return failures;
  }

  private async report(receiver: string, reason: string, context: CheckinContext): Promise<void> {
    const { logger, clock, state } = context.ports;
    logger.error(`apply the ${receiver} of the check-in answer failed`, { reason });
    if (this.reported.get(receiver) === reason) return;
    try {
      await state.putOutbox({ kind: 'event', event: receiverFailedEvent(receiver, reason, clock.now()) });
      this.reported.set(receiver, reason);
    } catch (error) {
      logger.error('could not report a failed check-in receiver', { receiver, reason: messageOf(error) });
    }
  }
}

/** Stops every kept schedule whose ticket was signed by a certificate the kept revocation list revokes, and reports it. */
async function stopRevokedSchedules(context: CheckinContext): Promise<void> {
  for (const entry of revokedSchedules(context.state())) {
    const event = scheduleSignerRevokedEvent(entry.configurationId, entry.version, entry.signerSerial!, context.ports.clock.now());
    // Reported before it is dropped: a crash in between reports it again under the same id, which the server keeps once.
    await context.ports.state.putOutbox({ kind: 'event', event });
    await context.update((s) => withoutSchedule(s, entry.configurationId, entry.version));
    context.ports.logger.warn('stopped a recurring script schedule: the certificate that signed it is revoked', { configurationId: entry.configurationId, version: entry.version, signerSerial: entry.signerSerial });
  }
}
