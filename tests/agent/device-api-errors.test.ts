// What the UI is told when a device API call fails: the Atwork server's own sentence where it has one meant for
// people (a missing package, a Mac with no user), the kind of failure otherwise.
import { describe, expect, it } from 'vitest';
import { DeviceApiError, refusal } from '../../src/agent/transport/device-api-client';
import { deviceApiServiceError } from '../../src/agent/transport/device-api-errors';

const NOW = new Date('2026-12-02T09:00:00Z');
const atwork = (status: number, error: string, message: string) => refusal('get the install ticket', status, Buffer.from(JSON.stringify({ error, message })), {}, NOW);

describe('device API failures as service errors', () => {
  it.each([
    [atwork(404, 'not_found', 'Cobalt Docs has no package to install from this server.'), 'not_found', 'Cobalt Docs has no package to install from this server.'],
    [atwork(409, 'conflict', 'This Mac has no user assigned, so it cannot review apps; ask your administrator to assign it a user.'), 'unknown', 'This Mac has no user assigned, so it cannot review apps; ask your administrator to assign it a user.'],
    [atwork(422, 'invalid_input', 'A review has 1 to 5 stars.'), 'invalid_input', 'A review has 1 to 5 stars.'],
    [atwork(403, 'forbidden', 'This device is retired.'), 'not_enrolled', 'The server no longer accepts this device (get the install ticket: server said 403: This device is retired.).'],
    [refusal('get the install ticket', 404, Buffer.from('<html>Not Found</html>'), {}, NOW), 'not_atwork_server', 'The server did not answer as an Atwork server does (get the install ticket: server said 404: <html>Not Found</html>).'],
    [refusal('get the install ticket', 409, Buffer.from('busy'), {}, NOW), 'not_atwork_server', 'The server did not answer as an Atwork server does (get the install ticket: server said 409: busy).'],
    [new DeviceApiError('check in', 500, null, 'server said 500: boom', null, 'atwork', 'internal', 'boom'), 'unknown', 'The server failed (check in: server said 500: boom).'],
  ])('%#: %s', (error, code, message) => {
    expect(deviceApiServiceError(error)).toMatchObject({ code, message });
  });
});
