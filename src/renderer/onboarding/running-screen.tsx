// While setup runs: what is happening, the progress bar, the steps, the time left (and why it stands still offline), the apps after it.
import type { OnboardingView } from '../../shared/onboarding-view';
import { useI18n } from '../i18n/use-i18n';
import { activityText, appListText, progressText, timeLeftText } from './onboarding-text';
import { ScreenHeading } from './screen-heading';
import { StepList } from './step-list';

export function RunningScreen({ view }: { view: OnboardingView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const background = appListText(i18n, view.backgroundApps.map((app) => app.appName));
  return (
    <>
      <ScreenHeading title={t('onboarding.title')} />
      <p className="onboarding-intro">{t('onboarding.intro')}</p>
      <div role="status" className="onboarding-activity">
        <p>{activityText(i18n, view)}</p>
        {view.offline && (
          <p className="onboarding-offline">
            <OfflineIcon />
            {t('onboarding.offline')}
          </p>
        )}
      </div>
      <SetupProgress view={view} />
      <StepList steps={view.steps} label={t('onboarding.stepsLabel')} ended={false} />
      {background !== null && <p className="onboarding-note muted">{t('onboarding.background', { apps: background })}</p>}
    </>
  );
}

function SetupProgress({ view }: { view: OnboardingView }) {
  const i18n = useI18n();
  const progress = progressText(i18n, view);
  return (
    <div className="onboarding-progress">
      <div
        role="progressbar"
        aria-label={i18n.t('onboarding.progressLabel')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress.percent}
        aria-valuetext={progress.value}
        className="progress"
      >
        <span className="progress-fill" style={{ width: `${progress.percent}%` }} />
      </div>
      <div className="onboarding-progress-text muted">
        <span>{progress.steps}</span>
        <span>{timeLeftText(i18n, view.remainingSeconds)}</span>
      </div>
    </div>
  );
}

function OfflineIcon() {
  return (
    <svg className="offline-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M1.5 6a9.5 9.5 0 0 1 13 0M3.8 8.6a6.2 6.2 0 0 1 8.4 0M6.1 11.1a2.9 2.9 0 0 1 3.8 0" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      <path d="M2 2l12 12" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}
