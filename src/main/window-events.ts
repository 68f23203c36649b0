// The one place every Atwork window's web contents gets its navigation and pop-up rules.
import type { Shell, WebContents } from 'electron';
import { isAppUrl } from './app-origin';
import { decideNavigation, externalLinkUrl } from './navigation-rules';

/**
 * Denies window.open, keeps navigation on the app's origin, and sends https links to the system browser.
 *
 * Anything the page did not come from (script output, server strings) could carry a link; none of it may load
 * inside a window that holds the AgentApi.
 */
export function handleCommonWindowEvents(webContents: WebContents, openExternal: Shell['openExternal']): void {
  const openOutside = (url: string | null): void => {
    if (url !== null) void openExternal(url).catch(() => undefined);
  };

  webContents.setWindowOpenHandler(({ url }) => {
    openOutside(externalLinkUrl(url));
    return { action: 'deny' };
  });
  webContents.on('will-navigate', (event) => {
    const decision = decideNavigation(event.url);
    if (decision.allow) return;
    event.preventDefault();
    openOutside(decision.openExternally);
  });
  // A redirect is the server's choice, not the user's: refused, and nothing opens.
  webContents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  webContents.on('will-attach-webview', (event) => event.preventDefault());
}
