// Activity: the status page inside the window, fed by the status query and its "Check in now" action.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/use-i18n';
import { queryKeys, useStatusQuery } from '../shell/agent-queries';
import { useApi } from '../shell/api-context';
import { errorText } from '../shell/error-text';
import { StatusPage } from './status-page';

export function ActivityPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const status = useStatusQuery();
  const checkIn = useMutation({
    mutationFn: () => api.checkInNow(),
    onSuccess: (next) => queryClient.setQueryData(queryKeys.status, next),
  });
  const error = status.isError
    ? t('status.readError', { reason: errorText(i18n, status.error) })
    : checkIn.isError
      ? t('status.checkInError', { reason: errorText(i18n, checkIn.error) })
      : null;
  return <StatusPage status={status.data ?? null} error={error} checkingIn={checkIn.isPending} onCheckInNow={() => checkIn.mutate()} />;
}
