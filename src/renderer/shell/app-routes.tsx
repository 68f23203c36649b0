// The pages and where they live: registration on its own, every other page in the window with the sidebar, and the
// kiosk onboarding in place of them all while the agent shows one.
import { Navigate, Route, Routes } from 'react-router';
import { AboutPage } from '../about/about-page';
import { AppDetailsPage } from '../app-details/app-details-page';
import { CatalogPage } from '../catalog/catalog-page';
import { useI18n } from '../i18n/use-i18n';
import { OnboardingGate } from '../onboarding/onboarding-gate';
import { RegisterPage } from '../register/register-page';
import { ActivityPage } from '../status/activity-page';
import { homePath, useStatusQuery } from './agent-queries';
import { ErrorState, LoadingState } from './async-state';
import { ShellLayout } from './shell-layout';

export function AppRoutes() {
  return (
    <OnboardingGate>
      <Routes>
        <Route index element={<StartPage />} />
        <Route path="register" element={<RegisterPage />} />
        <Route element={<ShellLayout />}>
          <Route path="apps" element={<CatalogPage />} />
          <Route path="apps/:appId" element={<AppDetailsPage />} />
          <Route path="activity" element={<ActivityPage />} />
          <Route path="about" element={<AboutPage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </OnboardingGate>
  );
}

/** Registration for a Mac that is not enrolled, Apps@Work for one that is. */
function StartPage() {
  const { t } = useI18n();
  const status = useStatusQuery();
  if (status.isError) {
    return (
      <main className="standalone">
        <ErrorState message={t('app.statusError')} error={status.error} onRetry={() => void status.refetch()} />
      </main>
    );
  }
  if (status.data === undefined) {
    return (
      <main className="standalone">
        <LoadingState label={t('status.reading')} />
      </main>
    );
  }
  return <Navigate to={homePath(status.data)} replace />;
}
