// The session's permission rules: the UI needs no camera, microphone, notifications, geolocation or any other permission.
import type { Session } from 'electron';

/** Denies every permission request and check of the session; a feature that needs one is a reviewed change here. */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
