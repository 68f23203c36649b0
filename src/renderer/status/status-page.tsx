// The status page: this Mac's enrollment and check-ins, a "Check in now" button, and recent script runs.
import type { AgentStatus } from '../../preload/contract';
import { useI18n } from '../i18n/use-i18n';
import { RecentRuns } from './recent-runs';

export interface StatusPageProps {
  status: AgentStatus | null;
  error: string | null;
  checkingIn: boolean;
  onCheckInNow(): void;
}

export function StatusPage({ status, error, checkingIn, onCheckInNow }: StatusPageProps) {
  const { t } = useI18n();
  return (
    <div className="page status-page">
      <header className="app-header">
        <h1>{t('app.name')}</h1>
        <p className="subtitle">{t('status.subtitle')}</p>
      </header>
      <div className="status-body">
        {error !== null && (
          <p role="alert" className="alert">
            {error}
          </p>
        )}
        {status === null ? (
          error === null && <p className="muted">{t('status.reading')}</p>
        ) : (
          <>
            <DeviceSection status={status} checkingIn={checkingIn} onCheckInNow={onCheckInNow} />
            <section aria-labelledby="runs-heading" className="card">
              <h2 id="runs-heading">{t('status.runsHeading')}</h2>
              <RecentRuns runs={status.recentRuns} />
            </section>
          </>
        )}
      </div>
    </div>
  );
}

function DeviceSection({ status, checkingIn, onCheckInNow }: { status: AgentStatus; checkingIn: boolean; onCheckInNow(): void }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="device-heading" className="card">
      <div className="card-heading">
        <h2 id="device-heading">{t('status.thisMac')}</h2>
        <button type="button" onClick={onCheckInNow} disabled={checkingIn || !status.enrolled}>
          {checkingIn ? t('status.checkingIn') : t('status.checkInNow')}
        </button>
      </div>
      {status.lastCheckinError !== null && (
        <p role="alert" className="alert">
          {t('status.lastCheckinFailed', { error: status.lastCheckinError })}
        </p>
      )}
      <dl className="facts">
        <dt>{t('status.server')}</dt>
        <dd>{status.serverUrl ?? <span className="muted">{t('status.notSet')}</span>}</dd>
        <dt>{t('status.deviceId')}</dt>
        <dd className="mono" data-testid="device-id">
          {status.deviceId ?? ''}
        </dd>
        <dt>{t('status.enrollment')}</dt>
        <dd>
          <span className={status.enrolled ? 'badge badge-completed' : 'badge badge-interrupted'} data-testid="enrolled">
            {status.enrolled ? t('status.enrolled') : t('status.notEnrolled')}
          </span>
        </dd>
        <dt>{t('status.lastCheckin')}</dt>
        <dd data-testid="last-checkin">
          <OptionalTime iso={status.lastCheckinAt} none={t('status.never')} />
        </dd>
        <dt>{t('status.nextCheckin')}</dt>
        <dd data-testid="next-checkin">
          <OptionalTime iso={status.nextCheckinAt} none={t('status.notScheduled')} />
        </dd>
      </dl>
    </section>
  );
}

function OptionalTime({ iso, none }: { iso: string | null; none: string }) {
  const { dateTime } = useI18n();
  if (iso === null) return <span className="muted">{none}</span>;
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}
