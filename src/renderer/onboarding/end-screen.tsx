// After setup: "Your Mac is ready" with the landing page, or the pass/fail summary with Retry; Continue closes the kiosk.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { OnboardingView } from '../../shared/onboarding-view';
import type { I18n } from '../i18n/use-i18n';
import { useI18n } from '../i18n/use-i18n';
import { queryKeys } from '../shell/agent-queries';
import { useApi } from '../shell/api-context';
import { errorText } from '../shell/error-text';
import { appListText, stillInstallingNames } from './onboarding-text';
import { ScreenHeading } from './screen-heading';
import { StepList } from './step-list';

type EndView = OnboardingView & { end: NonNullable<OnboardingView['end']> };

export function EndScreen({ view }: { view: EndView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { title, text } = endWords(i18n, view);
  const stillInstalling = appListText(i18n, stillInstallingNames(i18n, view));
  const landingPageUrl = view.end.kind === 'landing-page' ? view.end.url : view.end.landingPageUrl;
  return (
    <>
      <ScreenHeading title={title} />
      <p className="onboarding-intro">{text}</p>
      {view.end.kind === 'summary' && <StepList steps={view.steps} label={t('onboarding.summaryLabel')} ended />}
      {stillInstalling !== null && <p className="onboarding-note muted">{t('onboarding.end.stillInstalling', { apps: stillInstalling })}</p>}
      {landingPageUrl !== null && (
        <div className="onboarding-landing">
          <p>{t(view.end.kind === 'landing-page' ? 'onboarding.end.landingPageOpened' : 'onboarding.end.landingPage')}</p>
          <p className="onboarding-url">{landingPageUrl}</p>
        </div>
      )}
      <EndActions canRetry={view.end.kind === 'summary' && view.end.canRetry} />
    </>
  );
}

/** The title and the sentence under it: timed out, failed steps, skipped ones, or all done. */
function endWords({ t }: Pick<I18n, 't'>, view: OnboardingView): { title: string; text: string } {
  if (view.outcome === 'timed-out') return { title: t('onboarding.end.timedOutTitle'), text: t('onboarding.end.timedOutText') };
  if (view.progress.failed > 0) return { title: t('onboarding.end.failedTitle'), text: t('onboarding.end.failedText', { failed: view.progress.failed }) };
  if (view.progress.skipped > 0) return { title: t('onboarding.end.readyTitle'), text: t('onboarding.end.skippedText') };
  return { title: t('onboarding.end.readyTitle'), text: t('onboarding.end.readyText') };
}

/** Retry (when a step failed) and Continue; each says in a sentence when the agent refused it. */
function EndActions({ canRetry }: { canRetry: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const onAnswer = (onboarding: OnboardingView | null) => queryClient.setQueryData(queryKeys.onboarding, onboarding);
  const retry = useMutation({ mutationFn: () => api.retryOnboarding(), onSuccess: onAnswer });
  const finish = useMutation({ mutationFn: () => api.finishOnboarding(), onSuccess: onAnswer });
  const busy = retry.isPending || finish.isPending;
  return (
    <>
      {retry.isError && (
        <p role="alert" className="alert">
          {t('onboarding.retryError', { reason: errorText(i18n, retry.error) })}
        </p>
      )}
      {finish.isError && (
        <p role="alert" className="alert">
          {t('onboarding.finishError', { reason: errorText(i18n, finish.error) })}
        </p>
      )}
      <div className="onboarding-actions">
        {busy && <span className="spinner" aria-hidden="true" />}
        {/* aria-disabled rather than disabled while working, so focus stays on the button until the answer shows. */}
        {canRetry && (
          <button type="button" className="secondary" onClick={() => busy || retry.mutate()} aria-disabled={busy}>
            {t('onboarding.retry')}
          </button>
        )}
        <button type="button" onClick={() => busy || finish.mutate()} aria-disabled={busy}>
          {t('onboarding.continue')}
        </button>
      </div>
    </>
  );
}
