// What a browser without the agent's token sees: the status page with the one sentence that says what it needs.
import { useI18n } from '../i18n/use-i18n';
import { StatusPage } from './status-page';

export function NoAgentPage() {
  const { t } = useI18n();
  return (
    <main className="standalone">
      <StatusPage status={null} error={t('app.noApi')} checkingIn={false} onCheckInNow={() => undefined} />
    </main>
  );
}
