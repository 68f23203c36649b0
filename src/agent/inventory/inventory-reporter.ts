// The device's inventory in the background (issue 13): collected at start, hourly and after each finished install, kept
// in memory with its digest; every check-in carries the digest, and the list goes to the server only when it asks.
import type { InstallProgress } from '../../shared/agent-service-contract';
import { DEVICE_API_PREFIX, InstalledAppSchema, PackageReceiptSchema, type InventoryRequest } from '../../shared/protocol';
import type { Clock, Logger } from '../core/ports';
import { SerialWorkQueue } from '../core/work-queue';
import type { DeviceApiClient } from '../transport/device-api-client';
import { collectInventory, inventoryDigest, type InventorySources } from './device-inventory';

/**
 * How long a collected inventory stands before it is collected again, with no install in between. pkgutil is one
 * process per receipt, so collecting at every check-in would cost the Mac more than a report an hour late.
 */
export const INVENTORY_INTERVAL_MS = 3600 * 1000;

export interface InventoryOptions {
  /**
   * Where the inventory comes from, asked afresh at each collection since the console user (whose ~/Applications
   * counts) changes. Without it the agent collects and reports no inventory.
   */
  sources?: () => Promise<InventorySources>;
  /** Default INVENTORY_INTERVAL_MS; tests shorten it. */
  intervalMs?: number;
}

export interface InventoryReporterDeps {
  clock: Clock;
  logger: Logger;
  /** The installs of Apps@Work: a finished one changes what is installed. */
  installs: { onInstallsChanged(listener: (installs: InstallProgress[]) => void): () => void };
}

export class InventoryReporter {
  private latest: Required<InventoryRequest> | null = null;
  /** One collection at a time, apart from the check-in queue: a check-in never waits for pkgutil. */
  private readonly collections: SerialWorkQueue;
  /** A collection is queued and has not started: a trigger now would find the same files, so it adds none. */
  private queued = false;
  private running = false;
  private cancelTimer: (() => void) | null = null;
  /** The end time of each app's last finished install, to tell a newly finished one from a progress event. */
  private readonly finished = new Map<string, string>();

  constructor(
    private readonly deps: InventoryReporterDeps,
    private readonly options: InventoryOptions = {},
  ) {
    this.collections = new SerialWorkQueue(deps.logger);
    deps.installs.onInstallsChanged((installs) => this.installsChanged(installs));
  }

  /** Collects now, then again every interval; nothing without sources. */
  start(): void {
    if (this.running || this.options.sources === undefined) return;
    this.running = true;
    this.collectSoon();
  }

  /** Stops collecting and waits for a collection under way. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.collections.idle();
  }

  /** Resolves once the collections queued so far have ended. */
  idle(): Promise<void> {
    return this.collections.idle();
  }

  /** What a check-in request says of the inventory: its digest, or nothing before the first collection. */
  checkinFields(): { inventoryDigest?: string } {
    return this.latest === null ? {} : { inventoryDigest: this.latest.digest };
  }

  /** Sends the latest inventory with its digest, as the check-in answer asked (inventoryWanted). */
  async send(api: DeviceApiClient, deviceId: string): Promise<void> {
    const inventory = this.latest;
    if (inventory === null) return;
    await api.callJson('send the inventory', 'POST', `${DEVICE_API_PREFIX}/inventory`, deviceId, inventory, null);
    this.deps.logger.info('sent the inventory', { apps: inventory.apps.length, receipts: inventory.receipts.length });
  }

  private installsChanged(installs: InstallProgress[]): void {
    let newlyFinished = false;
    for (const install of installs) {
      if (install.endedAt === null || this.finished.get(install.appId) === install.endedAt) continue;
      this.finished.set(install.appId, install.endedAt);
      newlyFinished = true;
    }
    if (newlyFinished && this.running) this.collectSoon();
  }

  private collectSoon(): void {
    if (this.queued) return;
    this.queued = true;
    this.collections.enqueue('collect the inventory', async () => {
      this.queued = false;
      try {
        await this.collect();
      } finally {
        // From the end of the latest collection, whatever triggered it, so no two timers run.
        this.cancelTimer?.();
        this.cancelTimer = this.running ? this.deps.clock.schedule(this.options.intervalMs ?? INVENTORY_INTERVAL_MS, () => this.collectSoon()) : null;
      }
    });
  }

  private async collect(): Promise<void> {
    const sources = await this.options.sources!();
    const collected = await collectInventory(sources, this.deps.logger);
    // Checked against the wire schema here, so one entry the server would refuse cannot keep the whole list out.
    const apps = collected.apps.filter((app) => InstalledAppSchema.safeParse(app).success);
    const receipts = collected.receipts.filter((receipt) => PackageReceiptSchema.safeParse(receipt).success);
    const digest = inventoryDigest({ apps, receipts });
    if (digest !== this.latest?.digest) this.deps.logger.info('the inventory changed', { apps: apps.length, receipts: receipts.length });
    this.latest = { apps, receipts, digest };
  }
}
