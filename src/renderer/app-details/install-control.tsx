// Install → Installing… with a progress bar → Installed, or Failed with the reason and Retry; from getInstalls and its event.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { InstallProgress } from '../../shared/agent-service-contract';
import type { AppDetails } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { queryKeys, useInstallOf } from '../shell/agent-queries';
import { useApi } from '../shell/api-context';
import { errorText } from '../shell/error-text';
import { formatBytes, formatPercent } from '../shell/format';
import { withInstall } from '../shell/install-order';

type Shown = { state: 'idle' } | { state: 'running'; progress: InstallProgress | null } | { state: 'installed' } | { state: 'failed'; reason: string | null };

/** What to show: this session's install of the app when there is one, else what the catalog last heard from the Mac. */
export function installShown(app: AppDetails, install: InstallProgress | undefined): Shown {
  if (install !== undefined) {
    if (install.phase === 'installed') return { state: 'installed' };
    if (install.phase === 'failed') return { state: 'failed', reason: install.message };
    return { state: 'running', progress: install };
  }
  if (app.installState === 'installed') return { state: 'installed' };
  if (app.installState === 'failed') return { state: 'failed', reason: app.installMessage };
  if (app.installState === 'installing') return { state: 'running', progress: null };
  return { state: 'idle' };
}

export function InstallControl({ app }: { app: AppDetails }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const install = useMutation({
    mutationFn: () => api.installApp(app.id),
    onSuccess: (progress) => {
      queryClient.setQueryData<InstallProgress[]>(queryKeys.installs, (before = []) => withInstall(before, progress));
    },
  });
  const current = useInstallOf(app.id);
  const shown: Shown = install.isPending ? { state: 'running', progress: null } : installShown(app, current);

  return (
    <div className="install-control">
      {shown.state === 'idle' && (
        <button type="button" className="pill" onClick={() => install.mutate()}>
          {t('install.install')}
        </button>
      )}
      {shown.state === 'running' && <InstallProgressBar name={app.name} progress={shown.progress} />}
      {shown.state === 'installed' && <span className="badge badge-completed install-done">{t('install.installed')}</span>}
      {shown.state === 'failed' && (
        <>
          <p role="alert" className="install-failed">
            {shown.reason === null ? t('install.failed') : t('install.failedReason', { reason: shown.reason })}
          </p>
          <button type="button" className="pill" onClick={() => install.mutate()}>
            {t('install.retry')}
          </button>
        </>
      )}
      {install.isError && (
        <p role="alert" className="install-failed">
          {t('install.startError', { reason: errorText(i18n, install.error) })}
        </p>
      )}
    </div>
  );
}

/** How far an install is in percent; undefined while that is not known (no progress yet, or no size to measure it by). */
export function installPercent(progress: InstallProgress | null): number | undefined {
  if (progress === null) return undefined;
  if (progress.phase !== 'downloading') return 100;
  if (progress.totalBytes === 0) return undefined;
  return Math.round(Math.min(1, progress.receivedBytes / progress.totalBytes) * 100);
}

function InstallProgressBar({ name, progress }: { name: string; progress: InstallProgress | null }) {
  const { t, intl } = useI18n();
  const percent = installPercent(progress);
  const percentText = percent === undefined ? undefined : formatPercent(intl, percent / 100);
  return (
    <div className="install-progress">
      <span className="install-phase">{progress?.phase === 'verifying' ? t('install.verifying') : t('install.installing')}</span>
      <div
        role="progressbar"
        aria-label={t('install.downloading', { name })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={percentText}
        className={percent === undefined ? 'progress progress-indeterminate' : 'progress'}
      >
        <span className="progress-fill" style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
      {progress?.phase === 'downloading' && percentText !== undefined && (
        <span className="install-bytes muted">
          {t('install.progress', { received: formatBytes(intl, progress.receivedBytes), total: formatBytes(intl, progress.totalBytes), percent: percentText })}
        </span>
      )}
    </div>
  );
}
