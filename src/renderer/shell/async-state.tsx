// What a page shows while it waits, when it failed (with Retry) and when there is nothing to show.
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/use-i18n';
import { errorText } from './error-text';

/** A spinner with its label, announced politely; it fades in after a moment so quick answers do not flash it. */
export function LoadingState({ label }: { label: string }) {
  return (
    <div role="status" className="loading-state">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ message, error, onRetry }: { message: string; error: unknown; onRetry(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div role="alert" className="error-state">
      <p className="error-state-message">{message}</p>
      <p className="muted">{t('app.errorDetail', { reason: errorText(i18n, error) })}</p>
      <button type="button" onClick={onRetry}>
        {t('app.retry')}
      </button>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      <p className="muted">{children}</p>
    </div>
  );
}
