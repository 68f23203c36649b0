// One app in the catalog: a link named by the app's name, with its icon, publisher and rating described beside it.
import { useId } from 'react';
import { Link } from 'react-router';
import type { AppSummary } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { AppIcon } from '../shell/app-icon';
import { formatRating } from '../shell/format';
import { Stars } from '../shell/stars';

export function appPath(appId: string): string {
  return `/apps/${encodeURIComponent(appId)}`;
}

/** A grid tile, or with `featured` a larger card with the app's short description. */
export function AppTile({ app, featured = false }: { app: AppSummary; featured?: boolean }) {
  const id = useId();
  return (
    <li className={featured ? 'featured-card' : 'tile'}>
      <Link to={appPath(app.id)} className="tile-link" aria-labelledby={`${id}-name`} aria-describedby={`${id}-meta`}>
        <AppIcon name={app.name} icon={app.icon} size={featured ? 80 : 56} variant="thumbnail" />
        <span className="tile-text">
          <span id={`${id}-name`} className="tile-name">
            {app.name}
          </span>
          <span id={`${id}-meta`} className="tile-meta">
            <span className="tile-publisher">{app.publisher}</span>
            {featured && <span className="tile-description">{app.shortDescription}</span>}
            <TileRating app={app} />
          </span>
        </span>
      </Link>
    </li>
  );
}

function TileRating({ app }: { app: AppSummary }) {
  const { t, intl } = useI18n();
  const { average, count } = app.rating;
  return (
    <span className="tile-rating">
      {average === null ? (
        <span className="muted">{t('catalog.tileNoRating')}</span>
      ) : (
        <>
          <Stars value={average} />
          <span className="visually-hidden">{t('catalog.tileRating', { average: formatRating(intl, average), count })}</span>
          <span aria-hidden="true" className="tile-rating-count">
            {intl.formatNumber(count)}
          </span>
        </>
      )}
      {app.installState === 'installed' && <span className="badge badge-completed">{t('catalog.installed')}</span>}
    </span>
  );
}
