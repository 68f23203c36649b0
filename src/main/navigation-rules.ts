// Pure navigation rules: a window stays on the app's origin, and only https links leave it, for the system browser.
import { isAppUrl } from './app-origin';

/** What a window does with a navigation it did not start itself: load it, or refuse it and maybe open it outside. */
export interface NavigationDecision {
  allow: boolean;
  /** The URL to hand to the system browser, or null to open nothing. */
  openExternally: string | null;
}

/** A will-navigate decision: the app's own pages load; anything else is refused, and an https link opens outside. */
export function decideNavigation(url: string): NavigationDecision {
  if (isAppUrl(url)) return { allow: true, openExternally: null };
  return { allow: false, openExternally: externalLinkUrl(url) };
}

/**
 * The normalised URL when it may be handed to the system browser (https only, no credentials), else null.
 *
 * Parsed with URL and judged by its parts: `https://user@evil` and a string that merely starts with "https:" are not
 * links a user meant to follow.
 */
export function externalLinkUrl(url: string): string | null {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  if (target.protocol !== 'https:' || target.username !== '' || target.password !== '') return null;
  return target.toString();
}
