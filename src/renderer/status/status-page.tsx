// The status page: this Mac's enrollment and check-ins, a "Check in now" button, and recent script runs.
import type { AgentStatus } from '../../preload/contract';
import { formatDateTime } from '../display-format';
import { RecentRuns } from './recent-runs';

export interface StatusPageProps {
  status: AgentStatus | null;
  error: string | null;
  checkingIn: boolean;
  onCheckInNow(): void;
}

export function StatusPage({ status, error, checkingIn, onCheckInNow }: StatusPageProps) {
  return (
    <>
      <header className="app-header">
        <h1>Atwork</h1>
        <p className="subtitle">Device agent status</p>
      </header>
      <main>
        {error !== null && (
          <p role="alert" className="alert">
            {error}
          </p>
        )}
        {status === null ? (
          error === null && <p className="muted">Reading the agent status…</p>
        ) : (
          <>
            <DeviceSection status={status} checkingIn={checkingIn} onCheckInNow={onCheckInNow} />
            <section aria-labelledby="runs-heading" className="card">
              <h2 id="runs-heading">Recent script runs</h2>
              <RecentRuns runs={status.recentRuns} />
            </section>
          </>
        )}
      </main>
    </>
  );
}

function DeviceSection({ status, checkingIn, onCheckInNow }: { status: AgentStatus; checkingIn: boolean; onCheckInNow(): void }) {
  return (
    <section aria-labelledby="device-heading" className="card">
      <div className="card-heading">
        <h2 id="device-heading">This Mac</h2>
        <button type="button" onClick={onCheckInNow} disabled={checkingIn || !status.enrolled}>
          {checkingIn ? 'Checking in…' : 'Check in now'}
        </button>
      </div>
      {status.lastCheckinError !== null && (
        <p role="alert" className="alert">
          The last check-in failed: {status.lastCheckinError}
        </p>
      )}
      <dl className="facts">
        <dt>Server</dt>
        <dd>{status.serverUrl ?? <span className="muted">Not set</span>}</dd>
        <dt>Device ID</dt>
        <dd className="mono" data-testid="device-id">
          {status.deviceId ?? ''}
        </dd>
        <dt>Enrollment</dt>
        <dd>
          <span className={status.enrolled ? 'badge badge-completed' : 'badge badge-interrupted'} data-testid="enrolled">
            {status.enrolled ? 'Enrolled' : 'Not enrolled'}
          </span>
        </dd>
        <dt>Last check-in</dt>
        <dd data-testid="last-checkin">
          <OptionalTime iso={status.lastCheckinAt} none="Never" />
        </dd>
        <dt>Next check-in</dt>
        <dd data-testid="next-checkin">
          <OptionalTime iso={status.nextCheckinAt} none="Not scheduled" />
        </dd>
      </dl>
    </section>
  );
}

function OptionalTime({ iso, none }: { iso: string | null; none: string }) {
  if (iso === null) return <span className="muted">{none}</span>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}
