// The kiosk: while the agent shows an onboarding, it takes the whole window (no sidebar, nowhere else to go), whether
// it was there at the start or arrives later by its event; when it ends, the app opens again at its start.
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useOnboardingQuery } from '../shell/agent-queries';
import { OnboardingPage } from './onboarding-page';

export function OnboardingGate({ children }: { children: ReactNode }) {
  // Not known yet or not readable counts as none: the app stays usable, and the event brings an onboarding later.
  const view = useOnboardingQuery().data ?? null;
  const navigate = useNavigate();
  const shown = useRef(false);
  useEffect(() => {
    if (view !== null) shown.current = true;
    else if (shown.current) {
      shown.current = false;
      // The start page sends an enrolled Mac to Apps@Work.
      void navigate('/', { replace: true });
    }
  }, [view, navigate]);
  return view === null ? children : <OnboardingPage view={view} />;
}
