// The kiosk window of onboarding after an automated enrollment (issue 12): open while the agent has an onboarding to
// show, on top of everything, not closable, its window shortcuts swallowed, with one logged way out for an administrator.
import type { BrowserWindow } from 'electron';
import type { OnboardingView } from '../shared/onboarding-view';
import { kioskKeyAction, type KioskKeyInput } from './kiosk-keys';

/** What the kiosk needs of the agent: its onboarding, and the administrator's way out (not in the UI's contract). */
export interface KioskAgent {
  getOnboarding(): Promise<OnboardingView | null>;
  onOnboardingChanged(listener: (view: OnboardingView | null) => void): () => void;
  leaveOnboardingKiosk(): Promise<void>;
}

export interface OnboardingKioskOptions {
  agent: KioskAgent;
  /** The shell's createWindow, for the `kiosk` kind. */
  createWindow(kind: 'kiosk'): BrowserWindow;
  /** The kiosk has opened: the other windows close. */
  onOpened(): void;
  /** The kiosk has closed for good: the app's usual window opens. */
  onClosed(): void;
  log(message: string): void;
  platform?: NodeJS.Platform;
}

export class OnboardingKiosk {
  private window: BrowserWindow | null = null;
  /** Set while the kiosk closes itself: the only close its 'close' handler lets through. */
  private releasing = false;
  /** Changes seen since start() asked for the view, so an answer older than a change does not undo it. */
  private changes = 0;

  constructor(private readonly options: OnboardingKioskOptions) {}

  /** Follows the agent's onboarding from now on; resolves once the window matches the current view. */
  async start(): Promise<void> {
    this.options.agent.onOnboardingChanged((view) => {
      this.changes++;
      this.follow(view);
    });
    const seen = this.changes;
    const view = await this.options.agent.getOnboarding();
    if (this.changes === seen) this.follow(view);
  }

  /** Whether the kiosk is up; the app's other windows stay closed meanwhile. */
  get active(): boolean {
    return this.window !== null;
  }

  focus(): void {
    this.window?.focus();
  }

  private follow(view: OnboardingView | null): void {
    if (view !== null && this.window === null) this.open();
    else if (view === null && this.window !== null) this.close();
  }

  private open(): void {
    const window = this.options.createWindow('kiosk');
    this.window = window;
    // Above every other window, the screen saver's level, and on every Space, so neither covers nor hides it.
    window.setAlwaysOnTop(true, 'screen-saver');
    window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    window.removeMenu();
    window.on('close', (event) => {
      if (!this.releasing) event.preventDefault();
    });
    window.webContents.on('before-input-event', (event, input) => this.onKey(event, input));
    this.options.onOpened();
  }

  private onKey(event: { preventDefault(): void }, input: KioskKeyInput): void {
    const action = kioskKeyAction(input, this.options.platform);
    if (action === 'pass') return;
    event.preventDefault();
    if (action !== 'leave') return;
    this.options.log('An administrator pressed the key combination that leaves the onboarding kiosk.');
    // The agent logs it to the device log and drops the view; the change closes this window.
    this.options.agent.leaveOnboardingKiosk().catch((error: unknown) => this.options.log(`The kiosk could not be left: ${String(error)}`));
  }

  private close(): void {
    const window = this.window!;
    this.window = null;
    // The usual window first, so the app is never without one (elsewhere than macOS that would quit it).
    this.options.onClosed();
    this.releasing = true;
    window.setKiosk(false);
    window.destroy();
    this.releasing = false;
  }
}
