// Provides the catalog of the system locale (or the one given) to everything below it.
import type { ReactNode } from 'react';
import { IntlProvider } from 'react-intl';
import { pickLocale } from './locale';
import type { UiLocale } from './locale';

export function IntlRoot({ locale, children }: { locale?: UiLocale; children: ReactNode }) {
  const chosen = locale ?? pickLocale(typeof navigator === 'undefined' ? undefined : navigator.language);
  return (
    <IntlProvider locale={chosen.locale} messages={chosen.messages} defaultLocale="en">
      {children}
    </IntlProvider>
  );
}
