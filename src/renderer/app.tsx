// The UI root: connects the status page to whichever AgentApi the host provided.
import type { AgentApi } from '../preload/contract';
import { StatusPage } from './status/status-page';
import { useAgentStatus } from './status/use-agent-status';

export function App({ api }: { api: AgentApi }) {
  const { status, error, checkingIn, checkInNow } = useAgentStatus(api);
  return <StatusPage status={status} error={error} checkingIn={checkingIn} onCheckInNow={checkInNow} />;
}
