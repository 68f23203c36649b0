// Renders the app at a route to HTML, over a fake AgentApi and a query cache seeded with what the test is about.
import type { QueryClient } from '@tanstack/react-query';
import { createElement } from 'react';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { AgentApi } from '../../src/preload/contract';
import type { AgentStatus } from '../../src/shared/agent-status';
import type { CatalogPage } from '../../src/shared/catalog-protocol';
import { pickLocale } from '../../src/renderer/i18n/locale';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { AppProviders, createQueryClient } from '../../src/renderer/shell/app-providers';
import { AppRoutes } from '../../src/renderer/shell/app-routes';
import { FakeAgentService, makeStatus } from '../support/fake-agent-service';

export interface RenderOptions {
  /** The cached status; null for none yet (still loading). */
  status?: AgentStatus | null;
  seed?(client: QueryClient): void;
  language?: string;
  api?: AgentApi;
}

export function renderAt(path: string, options: RenderOptions = {}): string {
  return renderInApp(createElement(AppRoutes), path, options);
}

/** Renders one element (a dialog, say) inside the app's providers, at a route. */
export function renderInApp(element: ReactElement, path: string, { status = makeStatus(), seed, language = 'en-US', api = new FakeAgentService() }: RenderOptions = {}): string {
  const queryClient = createQueryClient();
  if (status !== null) queryClient.setQueryData(queryKeys.status, status);
  seed?.(queryClient);
  try {
    return renderToStaticMarkup(createElement(AppProviders, { api, queryClient, locale: pickLocale(language), initialPath: path, children: element }));
  } finally {
    queryClient.clear();
  }
}

/** Seeds one page of the catalog for a search and category, as the infinite query keeps it. */
export function seedCatalog(client: QueryClient, page: CatalogPage, search = '', category = ''): void {
  client.setQueryData(queryKeys.catalog(search, category), { pages: [page], pageParams: [0] });
}

/** Puts a query into the error state, as after a failed fetch. */
export function seedError(client: QueryClient, queryKey: readonly unknown[], error: Error): void {
  // Else the page would show the retry the query makes on mount, not the error.
  client.setQueryDefaults(queryKey, { retryOnMount: false });
  client.getQueryCache().build(client, { queryKey }).setState({ status: 'error', error, fetchStatus: 'idle', errorUpdateCount: 1 });
}

/** The text of the HTML with its tags taken out and whitespace collapsed. */
export function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The opening tags of the elements carrying an attribute with a value, e.g. every link to an app. */
export function tagsWith(html: string, tag: string, attribute: string, value: RegExp): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))].map((match) => match[0]).filter((open) => value.test(new RegExp(`${attribute}="([^"]*)"`).exec(open)?.[1] ?? ''));
}

export function attributeOf(openTag: string, attribute: string): string | null {
  return new RegExp(`\\s${attribute}="([^"]*)"`).exec(openTag)?.[1] ?? null;
}
