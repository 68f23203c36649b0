// Whether the database can be read and written right now: tripped by faults, recovered by probes with back-off, read by /readyz.
import type { FastifyBaseLogger } from 'fastify';
import { classifyDatabaseError, type DatabaseFault } from './database-faults';

export interface DatabaseProbes {
  /** A query that needs a working connection and nothing else. */
  read(): Promise<void>;
  /** A real write that changes nothing, so a full disk or a read-only database shows. */
  write(): Promise<void>;
}

export type Readiness = { ready: true } | { ready: false; fault: DatabaseFault };

/** First wait after a fault before probing again; it doubles up to MAX_PROBE_DELAY_MS. */
const FIRST_PROBE_DELAY_MS = 250;
/** Short, so a database that came back is in use again within a couple of seconds. */
const MAX_PROBE_DELAY_MS = 2000;
/** Longest a probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 3000;
/** /readyz re-checks writes at most this often while the database is healthy, so a busy load balancer does not write per poll. */
const WRITE_CHECK_INTERVAL_MS = 10_000;

/**
 * The server's view of its database.
 *
 * An unreachable database trips it: requests that need the database get 503 at once instead of each waiting for a
 * connection timeout, while a probe retries with back-off and clears it as soon as a query works again. A write fault
 * (no space, read-only) leaves reads alone but fails readiness until a probe write succeeds.
 */
export class DatabaseHealth {
  private unreachable: DatabaseFault | null = null;
  private writeFault: DatabaseFault | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private probeDelayMs = FIRST_PROBE_DELAY_MS;
  private faultSince = 0;
  private lastWriteCheck = 0;
  private stopped = false;

  constructor(
    private readonly probes: DatabaseProbes,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The fault that makes every database request pointless now, if any. */
  get outage(): DatabaseFault | null {
    return this.unreachable;
  }

  /** Seconds until the next probe, for Retry-After (at least 1). */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.probeDelayMs / 1000));
  }

  /** Notes a fault a request ran into; 'busy' and 'changed_meanwhile' are the request's bad luck and change nothing. */
  report(fault: DatabaseFault): void {
    if (this.stopped || fault.kind === 'busy' || fault.kind === 'changed_meanwhile') return;
    if (fault.kind === 'unavailable') {
      if (this.unreachable === null) {
        this.log.error({ fault: fault.detail }, 'database unreachable; answering 503 until it is back');
        this.faultSince = Date.now();
      }
      this.unreachable = fault;
    } else {
      if (this.writeFault === null) {
        this.log.error({ fault: fault.detail, kind: fault.kind }, 'database cannot be written; changes are refused until it can');
        this.faultSince = Date.now();
      }
      this.writeFault = fault;
    }
    this.scheduleProbe();
  }

  /** Whether the server can do its work: the database answers and takes writes. */
  async readiness(): Promise<Readiness> {
    if (this.unreachable !== null) return { ready: false, fault: this.unreachable };
    if (this.writeFault !== null) return { ready: false, fault: this.writeFault };
    const checkWrites = Date.now() - this.lastWriteCheck >= WRITE_CHECK_INTERVAL_MS;
    const failure = await this.tryProbe(checkWrites);
    if (failure !== null) {
      this.report(failure);
      return { ready: false, fault: failure };
    }
    if (checkWrites) this.lastWriteCheck = Date.now();
    return { ready: true };
  }

  /** Stops probing; the server is closing. */
  stop(): void {
    this.stopped = true;
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== null || this.stopped) return;
    this.probeTimer = setTimeout(() => void this.probe(), this.probeDelayMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    this.probeTimer = null;
    const failure = await this.tryProbe(this.writeFault !== null);
    if (this.stopped) return;
    if (failure === null) {
      this.log.info({ downMs: Date.now() - this.faultSince }, 'database usable again');
      this.unreachable = null;
      this.writeFault = null;
      this.probeDelayMs = FIRST_PROBE_DELAY_MS;
      return;
    }
    if (failure.kind === 'unavailable') this.unreachable = failure;
    else if (failure.kind !== 'busy') {
      // Reachable again, but still not writable.
      this.unreachable = null;
      this.writeFault = failure;
    }
    this.probeDelayMs = Math.min(MAX_PROBE_DELAY_MS, this.probeDelayMs * 2);
    this.scheduleProbe();
  }

  private async tryProbe(withWrite: boolean): Promise<DatabaseFault | null> {
    try {
      await withTimeout(this.probes.read(), PROBE_TIMEOUT_MS);
      if (withWrite) await withTimeout(this.probes.write(), PROBE_TIMEOUT_MS);
      return null;
    } catch (error) {
      return probeFault(error);
    }
  }
}

/** A failed probe is a fault even when the driver's error is not one we recognise. */
function probeFault(error: unknown): DatabaseFault {
  return classifyDatabaseError(error) ?? { kind: 'unavailable', detail: error instanceof Error ? error.message : String(error) };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
