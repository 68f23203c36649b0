// A small stand-in for Electron's WebContents: records listeners, sent messages and the window-open handler; has a main frame.
import type { WebContents } from 'electron';

/** A stand-in for Electron's WebFrameMain: the URL it shows and its parent (null for a main frame). */
export class FakeWebFrame {
  detached = false;

  constructor(
    public url = 'about:blank',
    readonly parent: FakeWebFrame | null = null,
  ) {}
}

type Listener = (...args: unknown[]) => void;

/** A navigation event as Electron passes it: the target URL and preventDefault. */
export interface FakeNavigationEvent {
  url: string;
  defaultPrevented: boolean;
  preventDefault(): void;
}

export class FakeWebContents {
  readonly listeners = new Map<string, Listener[]>();
  readonly sent: [string, unknown][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  /** The main frame; a new web contents shows about:blank until it loads something. */
  readonly mainFrame = new FakeWebFrame();
  private destroyed = false;

  constructor(readonly id: number) {}

  /** This fake where code under test expects Electron's type. */
  asWebContents(): WebContents {
    return this as unknown as WebContents;
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== wrapped));
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  /** Fires a navigation event the way Electron does and reports whether it was blocked. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    const navigation: FakeNavigationEvent = {
      url,
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit(event, navigation, url);
    return navigation.defaultPrevented;
  }
}
