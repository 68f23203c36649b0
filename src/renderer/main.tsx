// Renderer entry: the AgentApi comes from agent-connection, imported first so that its calls leave before React loads.
// The base styles come first, so each page's own stylesheet (imported with the page) can refine them.
import { agentApi, firstCalls } from './agent-connection';
import './styles.css';
import './shell/shell.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { IntlRoot } from './i18n/intl-root';
import { pickLocale } from './i18n/locale';
import { NoAgentPage } from './status/no-agent-page';

/**
 * How long the first render waits for the first calls: a local agent answers within it, and the window then opens on
 * the catalog itself instead of flashing a spinner; a slower one gets the start page's spinner after it.
 */
const FIRST_ANSWERS_WAIT_MS = 150;

const container = document.getElementById('root');
if (container === null) throw new Error('The page has no #root element to render into.');
document.documentElement.lang = pickLocale(navigator.language).locale;
const root = createRoot(container);
const render = () =>
  root.render(
    <StrictMode>
      {agentApi === null ? (
        <IntlRoot>
          <NoAgentPage />
        </IntlRoot>
      ) : (
        <App api={agentApi} firstCalls={firstCalls ?? undefined} />
      )}
    </StrictMode>,
  );
if (firstCalls === null) render();
else void firstCalls.settled(FIRST_ANSWERS_WAIT_MS).then(render);
