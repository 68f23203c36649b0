// Renderer entry: uses the preload's AgentApi in Electron, else the browser bridge with the token from the URL fragment.
// The base styles come first, so each page's own stylesheet (imported with the page) can refine them.
import './styles.css';
import './shell/shell.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { AGENT_API_GLOBAL, AgentApi } from '../preload/contract';
import { App } from './app';
import { createBridgeClient, readBridgeToken } from './bridge-client';
import { IntlRoot } from './i18n/intl-root';
import { pickLocale } from './i18n/locale';
import { NoAgentPage } from './status/no-agent-page';

// Typed against the contract's constant, so renaming the global fails the build instead of the app.
const agentApiGlobal: typeof AGENT_API_GLOBAL = 'atwork';

function findAgentApi(): AgentApi | null {
  const fromPreload = (window as Window & Partial<Record<typeof AGENT_API_GLOBAL, AgentApi>>)[agentApiGlobal];
  if (fromPreload) return fromPreload;
  const token = readBridgeToken(window.location.hash);
  return token === null ? null : createBridgeClient({ baseUrl: window.location.origin, token });
}

const container = document.getElementById('root');
if (container === null) throw new Error('The page has no #root element to render into.');
document.documentElement.lang = pickLocale(navigator.language).locale;
const api = findAgentApi();
createRoot(container).render(
  <StrictMode>
    {api === null ? (
      <IntlRoot>
        <NoAgentPage />
      </IntlRoot>
    ) : (
      <App api={api} />
    )}
  </StrictMode>,
);
