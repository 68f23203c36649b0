// The UI's one way to a string: typed message ids over react-intl, English when no provider is above (a page on its own).
import { useContext } from 'react';
import type { ReactNode } from 'react';
import { createIntl, IntlContext } from 'react-intl';
import type { IntlShape } from 'react-intl';
import { en } from './messages.en';
import type { MessageId } from './messages.en';

type Values = Record<string, string | number | Date | null | undefined>;
type RichValues = Record<string, ReactNode | ((chunks: ReactNode[]) => ReactNode)>;

export interface I18n {
  intl: IntlShape;
  /** The message with its ICU arguments filled in, as text. */
  t(id: MessageId, values?: Values): string;
  /** The message with React nodes or tags (`<big>…</big>`) among its arguments. */
  rich(id: MessageId, values: RichValues): ReactNode;
  dateTime(iso: string): string;
  date(iso: string): string;
}

// Made on first use, not as the module loads: the app always has a provider, and createIntl's locale checks are the
// first Intl work of the process, which costs tens of milliseconds in a fresh renderer.
let englishIntl: IntlShape | null = null;

export function useI18n(): I18n {
  const intl = useContext(IntlContext) ?? (englishIntl ??= createIntl({ locale: 'en', messages: en }));
  return i18nFor(intl);
}

export function i18nFor(intl: IntlShape): I18n {
  return {
    intl,
    t: (id, values) => intl.formatMessage({ id }, values),
    rich: (id, values) => intl.formatMessage({ id }, values as Record<string, ReactNode>),
    dateTime: (iso) => formatIso(iso, (date) => intl.formatDate(date, { dateStyle: 'medium', timeStyle: 'short' })),
    date: (iso) => formatIso(iso, (date) => intl.formatDate(date, { dateStyle: 'medium' })),
  };
}

/** A timestamp in the user's locale, or the raw text when it is not a date. */
function formatIso(iso: string, format: (date: Date) => string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format(date);
}
