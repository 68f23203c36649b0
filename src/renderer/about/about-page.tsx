// About Atwork: the app's version, the server, this Mac's device id, since when it is registered, its last check-in; Uninstall.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/use-i18n';
import { useStatusQuery, useVersionInfoQuery } from '../shell/agent-queries';
import { AppIcon } from '../shell/app-icon';
import { ErrorState, LoadingState } from '../shell/async-state';
import { UninstallDialog } from './uninstall-dialog';
import './about.css';

export function AboutPage() {
  const { t, dateTime } = useI18n();
  const status = useStatusQuery();
  const version = useVersionInfoQuery();
  const [uninstalling, setUninstalling] = useState(false);

  const failed = status.error ?? version.error;
  if (failed !== null) {
    return (
      <div className="page">
        <h1>{t('about.title')}</h1>
        <ErrorState message={t('about.error')} error={failed} onRetry={() => void Promise.all([status.refetch(), version.refetch()])} />
      </div>
    );
  }
  if (status.data === undefined || version.data === undefined) return <LoadingState label={t('about.loading')} />;

  const { serverUrl, deviceId, enrolledAt, retiredAt, lastCheckinAt } = status.data;
  const info = version.data;
  return (
    <div className="page about">
      <header className="about-header">
        <AppIcon name={t('app.name')} icon={null} size={72} variant="full" />
        <h1>{t('about.title')}</h1>
        <p className="muted" data-testid="app-version">
          {t('about.versionLine', { version: info.agentVersion })}
        </p>
      </header>
      <section className="card" aria-labelledby="about-mac-heading">
        <h2 id="about-mac-heading">{t('status.thisMac')}</h2>
        <dl className="facts">
          <Fact label={t('about.version')} value={info.agentVersion} />
          <Fact label={t('about.system')} value={`${info.osName} ${info.osVersion} (${info.arch})`} />
          <Fact label={t('about.server')} value={serverUrl ?? t('about.notSet')} />
          <Fact label={t('about.deviceId')} value={deviceId ?? t('about.notSet')} mono testId="about-device-id" />
          <Fact label={t('about.enrolledSince')} value={<OptionalDate iso={enrolledAt} />} />
          <Fact label={t('about.lastCheckin')} value={<OptionalDate iso={lastCheckinAt} />} />
        </dl>
      </section>
      <section className="card about-uninstall" aria-labelledby="about-uninstall-heading">
        <h2 id="about-uninstall-heading">{t('about.uninstall')}</h2>
        {retiredAt === null ? (
          <>
            <p className="muted">{t('about.uninstallHint')}</p>
            <button type="button" className="destructive" onClick={() => setUninstalling(true)}>
              {t('about.uninstall')}
            </button>
          </>
        ) : (
          <p id="about-retired" className="outcome-ok" tabIndex={-1}>
            {t('about.retiredOn', { date: dateTime(retiredAt) })}
          </p>
        )}
      </section>
      {uninstalling && (
        // Once retired, the Uninstall button that opened the dialog is gone: focus goes to the sentence that replaced it.
        <UninstallDialog serverUrl={serverUrl ?? t('about.notSet')} onClose={() => setUninstalling(false)} returnFocus={() => document.getElementById('about-retired')} />
      )}
    </div>
  );
}

function Fact({ label, value, mono = false, testId }: { label: string; value: ReactNode; mono?: boolean; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined} data-testid={testId}>
        {value}
      </dd>
    </>
  );
}

function OptionalDate({ iso }: { iso: string | null }) {
  const { t, dateTime } = useI18n();
  if (iso === null) return <span className="muted">{t('about.never')}</span>;
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}
