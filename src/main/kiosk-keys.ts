// What a key press in the kiosk window does: the app's own window shortcuts are swallowed, and one documented
// combination is the administrator's way out (docs/security.md, "Kiosk onboarding is not a lock").

/** The parts of Electron's `Input` (before-input-event) the decision needs. */
export interface KioskKeyInput {
  type: string;
  key: string;
  code: string;
  meta: boolean;
  control: boolean;
  alt: boolean;
  shift: boolean;
}

export type KioskKeyAction = 'pass' | 'swallow' | 'leave';

/**
 * Quit, close, hide and minimise (Command-Q, -W, -H, -M, also with Option): matched by the character and by the
 * physical key, so neither a keyboard layout nor a missing menu item lets one through.
 */
const SWALLOWED_KEYS = new Set(['q', 'w', 'h', 'm']);
const SWALLOWED_CODES = new Set(['KeyQ', 'KeyW', 'KeyH', 'KeyM']);

/** The administrator's combination: Control-Option-Shift-Command-K on a Mac (Control-Alt-Shift-Super-K elsewhere). */
export const LEAVE_KIOSK_CODE = 'KeyK';

/**
 * The action for one key event in the kiosk window. The combination is matched by its physical key: with Option
 * held, macOS turns K into another character.
 */
export function kioskKeyAction(input: KioskKeyInput, platform: NodeJS.Platform = process.platform): KioskKeyAction {
  const command = platform === 'darwin' ? input.meta : input.control;
  if (input.meta && input.control && input.alt && input.shift && input.code === LEAVE_KIOSK_CODE) return input.type === 'keyDown' ? 'leave' : 'swallow';
  if (command && (SWALLOWED_KEYS.has(input.key.toLowerCase()) || SWALLOWED_CODES.has(input.code))) return 'swallow';
  // Full screen off (Control-Command-F) would show the desktop behind the window.
  if (input.meta && input.control && input.code === 'KeyF') return 'swallow';
  return 'pass';
}
