// The one place every Atwork window's web contents gets its navigation and pop-up rules.
import type { Shell, WebContents } from 'electron';
import { externalLinkUrl, isAllowedNavigation } from './window-options';

export interface CommonWindowEventsOptions {
  /** The URL the window was loaded with; it may navigate only within it. */
  appUrl: string;
  openExternal: Shell['openExternal'];
}

/**
 * Denies window.open, blocks navigation away from the app, and sends https links to the system browser.
 *
 * Anything the page did not come from (script output, server strings) could carry a link; none of it may load
 * inside a window that holds the AgentApi.
 */
export function handleCommonWindowEvents(webContents: WebContents, options: CommonWindowEventsOptions): void {
  const openOutside = (url: string): void => {
    const safe = externalLinkUrl(url);
    if (safe !== null) void options.openExternal(safe).catch(() => undefined);
  };

  webContents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  webContents.on('will-navigate', (event) => {
    if (isAllowedNavigation(event.url, options.appUrl)) return;
    event.preventDefault();
    openOutside(event.url);
  });
  webContents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url, options.appUrl)) event.preventDefault();
  });
  webContents.on('will-attach-webview', (event) => event.preventDefault());
}
