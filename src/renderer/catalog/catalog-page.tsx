// Apps@Work: the apps distributed to this Mac, a Featured row, a category from the sidebar, and search as you type.
import { useDeferredValue, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AppSummary } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { useCatalogQuery } from '../shell/agent-queries';
import { EmptyState, ErrorState, LoadingState } from '../shell/async-state';
import { AppTile } from './app-tile';
import './catalog.css';

export function CatalogPage() {
  const { t } = useI18n();
  const [searchParams] = useSearchParams();
  const category = searchParams.get('category') ?? '';
  const [searchText, setSearchText] = useState('');
  // Every keystroke asks: the agent answers searches from its copy of the catalog in a few milliseconds, and the
  // deferred value keeps typing responsive while the tiles of the previous answer stay on screen.
  const search = useDeferredValue(searchText.trim());

  return (
    <div className="page">
      <header className="toolbar">
        <h1>{category === '' ? t('catalog.title') : category}</h1>
        <span className="search">
          <svg className="search-icon" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
            <circle cx="6" cy="6" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
            <path d="M9.5 9.5 13 13" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
          </svg>
          <input
            type="search"
            className="search-field"
            aria-label={t('catalog.search')}
            placeholder={t('catalog.searchPlaceholder')}
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </span>
      </header>
      <CatalogResults search={search} category={category} />
    </div>
  );
}

function CatalogResults({ search, category }: { search: string; category: string }) {
  const { t } = useI18n();
  const catalog = useCatalogQuery(search, category);
  if (catalog.isPending) return <LoadingState label={t('catalog.loading')} />;
  if (catalog.isError) return <ErrorState message={t('catalog.error')} error={catalog.error} onRetry={() => void catalog.refetch()} />;

  const apps = catalog.data.pages.flatMap((page) => page.apps);
  const total = catalog.data.pages[0]?.page.total ?? 0;
  if (total === 0) return <NoApps search={search} category={category} />;

  const browsing = search === '' && category === '';
  const featured = browsing ? apps.filter((app) => app.featured) : [];
  return (
    <div className="catalog" aria-busy={catalog.isFetching}>
      {featured.length > 0 && <AppSection id="featured-heading" title={t('catalog.featured')} apps={featured} featured />}
      <AppSection id="apps-heading" title={search === '' ? t('catalog.allApps') : t('catalog.searchResults', { search })} count={total} apps={apps} />
      {catalog.hasNextPage && (
        <button type="button" className="secondary show-more" onClick={() => void catalog.fetchNextPage()} disabled={catalog.isFetchingNextPage}>
          {catalog.isFetchingNextPage ? t('catalog.loading') : t('catalog.showMore')}
        </button>
      )}
    </div>
  );
}

function AppSection({ id, title, count, apps, featured = false }: { id: string; title: string; count?: number; apps: AppSummary[]; featured?: boolean }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby={id} className="app-section">
      <div className="section-heading">
        <h2 id={id}>{title}</h2>
        {count !== undefined && <span className="muted">{t('catalog.count', { count })}</span>}
      </div>
      <ul className={featured ? 'featured-row' : 'tile-grid'}>
        {apps.map((app) => (
          <AppTile key={app.id} app={app} featured={featured} />
        ))}
      </ul>
    </section>
  );
}

function NoApps({ search, category }: { search: string; category: string }) {
  const { t } = useI18n();
  if (search !== '') return <EmptyState title={t('catalog.noMatch.title')}>{t('catalog.noMatch.text', { search })}</EmptyState>;
  if (category !== '') return <EmptyState title={t('catalog.empty.title')}>{t('catalog.noCategoryApps')}</EmptyState>;
  return <EmptyState title={t('catalog.empty.title')}>{t('catalog.empty.text')}</EmptyState>;
}
