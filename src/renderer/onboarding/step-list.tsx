// The onboarding's steps as a list, each with a state icon and its state in words; the same list is the end's summary.
import type { OnboardingStepView } from '../../shared/onboarding-view';
import { useI18n } from '../i18n/use-i18n';
import { isUnsettled, stepName, stepResultText, stepStateText } from './onboarding-text';

type StepIconKind = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export function StepList({ steps, label, ended }: { steps: OnboardingStepView[]; label: string; ended: boolean }) {
  const i18n = useI18n();
  return (
    <ul className="onboarding-steps" aria-label={label}>
      {steps.map((step) => (
        <li key={step.key} className={`onboarding-step step-${step.status}`}>
          <StepIcon kind={ended && isUnsettled(step) ? 'running' : step.status} />
          <span className="step-name">{stepName(i18n, step)}</span>
          <span className="visually-hidden">{' — '}</span>
          <span className="step-state">{ended ? stepResultText(i18n, step) : stepStateText(i18n, step)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Decorative: the state is said in words beside it. */
function StepIcon({ kind }: { kind: StepIconKind }) {
  if (kind === 'running') return <span className="step-icon spinner" aria-hidden="true" />;
  return (
    <svg className={`step-icon step-icon-${kind}`} width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">
      {kind === 'pending' && <circle cx="9" cy="9" r="7.25" fill="none" stroke="currentColor" strokeWidth="1.5" />}
      {kind === 'done' && (
        <>
          <circle cx="9" cy="9" r="8" fill="currentColor" />
          <path d="M5.2 9.3 7.7 11.8 12.8 6.4" fill="none" stroke="var(--card)" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </>
      )}
      {kind === 'failed' && (
        <>
          <circle cx="9" cy="9" r="8" fill="currentColor" />
          <path d="M9 4.8v5.2" stroke="var(--card)" strokeWidth="1.8" strokeLinecap="round" />
          <circle cx="9" cy="12.9" r="1.05" fill="var(--card)" />
        </>
      )}
      {kind === 'skipped' && (
        <>
          <circle cx="9" cy="9" r="7.25" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M5.8 9h6.4" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </>
      )}
    </svg>
  );
}
