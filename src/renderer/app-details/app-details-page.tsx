// An app's page: icon, name, publisher and the install control; screenshots, description, information, ratings and reviews.
import { Link, useParams } from 'react-router';
import type { AppDetails } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { useAppDetailsQuery } from '../shell/agent-queries';
import { AppIcon } from '../shell/app-icon';
import { ErrorState, LoadingState } from '../shell/async-state';
import { formatBytes } from '../shell/format';
import { useServerUrl } from '../shell/server-url';
import { InstallControl } from './install-control';
import { ReviewsSection } from './reviews-section';
import { ScreenshotGallery } from './screenshot-gallery';
import './app-details.css';

export function AppDetailsPage() {
  const { appId = '' } = useParams();
  const { t } = useI18n();
  const details = useAppDetailsQuery(appId);
  return (
    <div className="page">
      <Link to="/apps" className="back-link">
        <span aria-hidden="true">{'\u2039'}</span> {t('details.back')}
      </Link>
      {details.isPending && <LoadingState label={t('details.loading')} />}
      {details.isError && <ErrorState message={t('details.error')} error={details.error} onRetry={() => void details.refetch()} />}
      {details.data !== undefined && <AppDetailsView app={details.data} />}
    </div>
  );
}

export function AppDetailsView({ app }: { app: AppDetails }) {
  const { t } = useI18n();
  const serverUrl = useServerUrl();
  return (
    <article className="app-details" aria-labelledby="app-name">
      <header className="app-details-header">
        <AppIcon name={app.name} icon={app.icon} size={128} variant="full" />
        <div className="app-header-text">
          <h1 id="app-name">{app.name}</h1>
          <p className="app-publisher">{app.publisher}</p>
          <p className="muted">{app.shortDescription}</p>
          <InstallControl app={app} />
        </div>
      </header>
      {app.screenshots.length > 0 && serverUrl !== null && <ScreenshotGallery screenshots={app.screenshots} serverUrl={serverUrl} />}
      <section aria-labelledby="description-heading" className="detail-section">
        <h2 id="description-heading">{t('details.description')}</h2>
        <p className="app-description">{app.description}</p>
      </section>
      <AppInformation app={app} />
      <ReviewsSection app={app} />
    </article>
  );
}

function AppInformation({ app }: { app: AppDetails }) {
  const { t, intl } = useI18n();
  return (
    <section aria-labelledby="information-heading" className="detail-section">
      <h2 id="information-heading">{t('details.information')}</h2>
      <dl className="facts info-grid">
        <dt>{t('details.publisher')}</dt>
        <dd>{app.publisher}</dd>
        <dt>{t('details.version')}</dt>
        <dd>{app.version}</dd>
        <dt>{t('details.category')}</dt>
        <dd>{app.category}</dd>
        <dt>{t('details.size')}</dt>
        <dd data-testid="app-size">{app.size === null ? t('details.sizeNone') : formatBytes(intl, app.size)}</dd>
      </dl>
    </section>
  );
}
