// The kiosk onboarding (issue 12): one centred card, the running screen until setup ends, then the end screen.
import type { OnboardingView } from '../../shared/onboarding-view';
import { EndScreen } from './end-screen';
import { RunningScreen } from './running-screen';
import './onboarding.css';

export function OnboardingPage({ view }: { view: OnboardingView }) {
  const { end } = view;
  return (
    <main className="onboarding">
      <div className="onboarding-card">{end === null ? <RunningScreen view={view} /> : <EndScreen view={{ ...view, end }} />}</div>
    </main>
  );
}
