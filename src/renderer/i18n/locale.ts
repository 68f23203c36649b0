// Which catalog the UI speaks: German for a German system locale (de, de-AT, de-CH…), English for every other.
import { de } from './messages.de';
import { en } from './messages.en';
import type { MessageId } from './messages.en';

export type Catalog = Record<MessageId, string>;

export interface UiLocale {
  /** The BCP 47 tag dates and numbers are formatted for: the system's own, so de-CH keeps its number format. */
  locale: string;
  messages: Catalog;
}

export const CATALOGS: Record<'en' | 'de', Catalog> = { en, de };

/** The UI locale for a system language tag (navigator.language); English when there is none or it is unknown. */
export function pickLocale(language: string | undefined): UiLocale {
  const tag = language?.trim() ?? '';
  if (/^de(-|$)/i.test(tag)) return { locale: tag, messages: de };
  return { locale: /^en(-|$)/i.test(tag) ? tag : 'en', messages: en };
}
