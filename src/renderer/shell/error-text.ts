// A failure in the user's language: the sentence of its service error code, or the error's own message when it has none.
import { serviceErrorOf } from '../../shared/agent-service-names';
import type { ServiceErrorCode } from '../../shared/agent-service-names';
import type { I18n } from '../i18n/use-i18n';
import type { MessageId } from '../i18n/messages.en';

const CODE_MESSAGES: Record<Exclude<ServiceErrorCode, 'unknown'>, MessageId> = {
  wrong_pin: 'error.wrong_pin',
  pin_locked: 'error.pin_locked',
  rate_limited: 'error.rate_limited',
  server_unreachable: 'error.server_unreachable',
  not_atwork_server: 'error.not_atwork_server',
  already_enrolled: 'error.already_enrolled',
  not_enrolled: 'error.not_enrolled',
  not_found: 'error.not_found',
  invalid_input: 'error.invalid_input',
  install_failed: 'error.install_failed',
  retired: 'error.retired',
};

export function errorText({ t }: Pick<I18n, 't'>, error: unknown): string {
  const failure = serviceErrorOf(error);
  return failure.code === 'unknown' ? failure.message : t(CODE_MESSAGES[failure.code]);
}
