// Which sentence a failed registration gets: one per service error code it can fail with, a generic one for the rest.
import { serviceErrorOf } from '../../shared/agent-service-names';
import type { ServiceErrorCode } from '../../shared/agent-service-names';
import type { MessageId } from '../i18n/messages.en';

const ENROLL_MESSAGES: Partial<Record<ServiceErrorCode, MessageId>> = {
  wrong_pin: 'register.error.wrong_pin',
  pin_locked: 'register.error.pin_locked',
  rate_limited: 'register.error.rate_limited',
  server_unreachable: 'register.error.server_unreachable',
  not_atwork_server: 'register.error.not_atwork_server',
  already_enrolled: 'register.error.already_enrolled',
  invalid_input: 'register.error.invalid_input',
};

export function enrollErrorMessage(error: unknown): MessageId {
  return ENROLL_MESSAGES[serviceErrorOf(error).code] ?? 'register.error.unknown';
}
