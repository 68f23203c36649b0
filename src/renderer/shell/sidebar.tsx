// The window's sidebar, as in Mac apps: Apps@Work with its categories, then This Mac (Activity, About).
import { Link, useLocation, useSearchParams } from 'react-router';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/use-i18n';
import { useCatalogQuery } from './agent-queries';

export function Sidebar() {
  const { t } = useI18n();
  const categories = useCatalogQuery('', '').data?.pages[0]?.categories ?? [];
  const { pathname } = useLocation();
  const [searchParams] = useSearchParams();
  const category = pathname === '/apps' ? (searchParams.get('category') ?? '') : null;

  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <SidebarSection id="nav-apps" title={t('nav.appsSection')}>
        <SidebarLink to="/apps" current={category === '' || pathname.startsWith('/apps/')}>
          {t('nav.allApps')}
        </SidebarLink>
      </SidebarSection>
      {categories.length > 0 && (
        <SidebarSection id="nav-categories" title={t('nav.categories')}>
          {categories.map((name) => (
            <SidebarLink key={name} to={`/apps?${new URLSearchParams({ category: name }).toString()}`} current={category === name}>
              {name}
            </SidebarLink>
          ))}
        </SidebarSection>
      )}
      <SidebarSection id="nav-mac" title={t('nav.macSection')}>
        <SidebarLink to="/activity" current={pathname === '/activity'}>
          {t('nav.activity')}
        </SidebarLink>
        <SidebarLink to="/about" current={pathname === '/about'}>
          {t('nav.about')}
        </SidebarLink>
      </SidebarSection>
    </nav>
  );
}

function SidebarSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <div className="sidebar-section">
      <h2 id={id} className="sidebar-heading">
        {title}
      </h2>
      <ul aria-labelledby={id}>{children}</ul>
    </div>
  );
}

function SidebarLink({ to, current, children }: { to: string; current: boolean; children: ReactNode }) {
  return (
    <li>
      <Link to={to} className="sidebar-link" aria-current={current ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  );
}
