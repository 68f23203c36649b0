// "Uninstall": says what retiring this Mac does, and on confirmation asks the server to retire it, then shows the outcome.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/use-i18n';
import { queryKeys } from '../shell/agent-queries';
import { useApi } from '../shell/api-context';
import { errorText } from '../shell/error-text';
import { ModalDialog } from '../shell/modal-dialog';

export interface UninstallDialogProps {
  serverUrl: string;
  onClose(): void;
  returnFocus(): HTMLElement | null;
}

export function UninstallDialog({ serverUrl, onClose, returnFocus }: UninstallDialogProps) {
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const retire = useMutation({
    mutationFn: () => api.retireDevice(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.status }),
  });

  return (
    <ModalDialog labelledBy="uninstall-title" describedBy="uninstall-text" className="confirm-dialog" onClose={onClose} returnFocus={returnFocus}>
      <h2 id="uninstall-title">{t('retire.title')}</h2>
      {retire.isSuccess ? (
        <p id="uninstall-text" role="status" className="outcome outcome-ok">
          {t('retire.success', { date: dateTime(retire.data.retiredAt) })}
        </p>
      ) : (
        <p id="uninstall-text">{t('retire.explanation', { server: serverUrl })}</p>
      )}
      {retire.isError && (
        <p role="alert" className="alert">
          {t('retire.error', { reason: errorText(i18n, retire.error) })}
        </p>
      )}
      <div className="dialog-actions">
        {retire.isSuccess ? (
          <button type="button" onClick={onClose} autoFocus>
            {t('app.done')}
          </button>
        ) : (
          <>
            <button type="button" className="secondary" onClick={onClose} autoFocus disabled={retire.isPending}>
              {t('app.cancel')}
            </button>
            {retire.isPending && <span className="spinner" aria-hidden="true" />}
            {/* aria-disabled rather than disabled while working, so focus stays on it until the outcome shows. */}
            <button type="button" className="destructive" onClick={() => retire.isPending || retire.mutate()} aria-disabled={retire.isPending}>
              {retire.isPending ? t('retire.working') : retire.isError ? t('app.retry') : t('retire.confirm')}
            </button>
          </>
        )}
      </div>
    </ModalDialog>
  );
}
