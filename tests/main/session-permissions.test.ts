// The session denies every permission, asked or checked.
import { describe, expect, it } from 'vitest';
import { denyAllPermissions } from '../../src/main/session-permissions';

/** The two handlers as the test calls them; Electron passes more arguments, which the handlers ignore. */
type RequestHandler = (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void;
type CheckHandler = (webContents: unknown, permission: string) => boolean;

describe('denyAllPermissions', () => {
  it.each(['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen'])('denies %s when asked and when checked', (permission) => {
    let request: RequestHandler | null = null;
    let check: CheckHandler | null = null;
    const session = {
      setPermissionRequestHandler: (handler: RequestHandler) => (request = handler),
      setPermissionCheckHandler: (handler: CheckHandler) => (check = handler),
    };
    denyAllPermissions(session as unknown as Parameters<typeof denyAllPermissions>[0]);
    const answers: boolean[] = [];
    request!({}, permission, (granted) => answers.push(granted));
    expect(answers).toEqual([false]);
    expect(check!(null, permission)).toBe(false);
  });
});
