// The kiosk window's keys as a table: the window shortcuts swallowed whatever the layout, the administrator's
// combination leaving on key down only, and everything else (typing, copy, paste, Tab) passed to the page.
import { describe, expect, it } from 'vitest';
import { kioskKeyAction, type KioskKeyAction, type KioskKeyInput } from '../../src/main/kiosk-keys';

const NONE = { meta: false, control: false, alt: false, shift: false };
const press = (key: string, code: string, modifiers: Partial<typeof NONE> = {}, type = 'keyDown'): KioskKeyInput => ({ type, key, code, ...NONE, ...modifiers });
const ALL = { meta: true, control: true, alt: true, shift: true };

const CASES: [string, KioskKeyInput, NodeJS.Platform, KioskKeyAction][] = [
  ['Command-Q', press('q', 'KeyQ', { meta: true }), 'darwin', 'swallow'],
  ['Command-W', press('w', 'KeyW', { meta: true }), 'darwin', 'swallow'],
  ['Command-H', press('h', 'KeyH', { meta: true }), 'darwin', 'swallow'],
  ['Command-M', press('m', 'KeyM', { meta: true }), 'darwin', 'swallow'],
  ['Option-Command-H (hide others)', press('˙', 'KeyH', { meta: true, alt: true }), 'darwin', 'swallow'],
  ['Command-Q released', press('q', 'KeyQ', { meta: true }, 'keyUp'), 'darwin', 'swallow'],
  ['Command-Q on AZERTY (Q is where A is on QWERTY)', press('q', 'KeyA', { meta: true }), 'darwin', 'swallow'],
  ['Shift-Command-Q (log out)', press('Q', 'KeyQ', { meta: true, shift: true }), 'darwin', 'swallow'],
  ['Control-Command-F (leave full screen)', press('f', 'KeyF', { meta: true, control: true }), 'darwin', 'swallow'],
  ['Control-Q off macOS', press('q', 'KeyQ', { control: true }), 'linux', 'swallow'],
  ['Control-Option-Shift-Command-K', press('', 'KeyK', ALL), 'darwin', 'leave'],
  ['the combination released', press('', 'KeyK', ALL, 'keyUp'), 'darwin', 'swallow'],
  ['the combination off macOS', press('K', 'KeyK', ALL), 'linux', 'leave'],
  ['the combination without Shift', press('˚', 'KeyK', { meta: true, control: true, alt: true }), 'darwin', 'pass'],
  ['Command-K', press('k', 'KeyK', { meta: true }), 'darwin', 'pass'],
  ['Q typed', press('q', 'KeyQ'), 'darwin', 'pass'],
  ['Control-Q on a Mac (not Command)', press('q', 'KeyQ', { control: true }), 'darwin', 'pass'],
  ['Command-C', press('c', 'KeyC', { meta: true }), 'darwin', 'pass'],
  ['Tab', press('Tab', 'Tab'), 'darwin', 'pass'],
  ['Return', press('Enter', 'Enter'), 'darwin', 'pass'],
];

describe('keys in the kiosk window', () => {
  it.each(CASES)('%s', (_name, input, platform, action) => {
    expect(kioskKeyAction(input, platform)).toBe(action);
  });
});
