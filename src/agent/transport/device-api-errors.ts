// What a failed device API call means for the UI: one ServiceError code per kind of failure, with the call's own message.
import { ServiceError } from '../../shared/agent-service-contract';
import { DeviceApiError } from './device-api-client';
import { messageOf } from '../core/error-message';

/** The ServiceError a failed device API call (catalog, installs, retire) stands for. */
export function deviceApiServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (!(error instanceof DeviceApiError)) return new ServiceError('unknown', messageOf(error));
  const { status, message } = error;
  if (error.failure !== null) return new ServiceError('server_unreachable', `The server did not answer (${message}).`);
  // A proxy in front of a server that is down answers these, in its own words.
  if (status === 502 || status === 503 || status === 504) return new ServiceError('server_unreachable', `The server is not available (${message}).`);
  if (status === null || error.answeredBy === 'other') return new ServiceError('not_atwork_server', `The server did not answer as an Atwork server does (${message}).`);
  if (status === 401 || status === 403) return new ServiceError('not_enrolled', `The server no longer accepts this device (${message}).`);
  // The Atwork server's sentence says what is missing or wrong in words for the person at the Mac (the call and the
  // status stay in the agent's log).
  if (status === 404) return new ServiceError('not_found', error.serverMessage ?? `The server has no such item for this device (${message}).`);
  if (status === 400 || status === 413 || status === 422) return new ServiceError('invalid_input', error.serverMessage ?? `The server refused the request (${message}).`);
  if (status === 429) return new ServiceError('rate_limited', `The server asks this device to wait (${message}).`);
  // A refusal of the request as it stands (a Mac with no user cannot review): the server's sentence is the whole story.
  if (status === 409 && error.serverMessage !== null) return new ServiceError('unknown', error.serverMessage);
  return new ServiceError('unknown', `The server failed (${message}).`);
}

/**
 * The ServiceError of a failed enrollment: a refused PIN keeps the server's own sentence; a server that is not an
 * Atwork one is told apart from one that does not answer.
 */
export function enrollmentServiceError(error: unknown): ServiceError {
  const general = deviceApiServiceError(error);
  if (!(error instanceof DeviceApiError) || general.code === 'server_unreachable') return general;
  const { status, message } = error;
  // An Atwork server always has the enroll path: a 404 or any answer that is not an Atwork error body is another server.
  if (status === 404 || error.answeredBy !== 'atwork') return new ServiceError('not_atwork_server', `The server answered, but it is not an Atwork server (${message}).`);
  if (error.serverCode === 'pin_locked') return new ServiceError('pin_locked', message);
  if (status === 401 || status === 403) return new ServiceError('wrong_pin', message);
  return general;
}
