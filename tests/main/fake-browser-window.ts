// A small stand-in for Electron's BrowserWindow: the options it was made with, its FakeWebContents, what it loaded.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { FakeWebContents } from './fake-web-contents';

export class FakeBrowserWindow {
  readonly webContents: FakeWebContents;
  readonly loaded: string[] = [];
  shown = false;
  /** What the window had in place when it was asked to load: trusted, and with its navigation rules. */
  readonly stateAtLoad: { listeners: string[]; windowOpenHandler: boolean }[] = [];
  /** When set, loadURL rejects with it, as Electron does when the page cannot load. */
  loadFailure: Error | null = null;
  private readonly onceListeners = new Map<string, (() => void)[]>();

  constructor(
    readonly options: BrowserWindowConstructorOptions,
    id: number,
  ) {
    this.webContents = new FakeWebContents(id);
  }

  /** This fake where code under test expects Electron's type. */
  asBrowserWindow(): BrowserWindow {
    return this as unknown as BrowserWindow;
  }

  on(event: string, listener: () => void): this {
    return this.once(event, listener);
  }

  once(event: string, listener: () => void): this {
    this.onceListeners.set(event, [...(this.onceListeners.get(event) ?? []), listener]);
    return this;
  }

  emit(event: string): void {
    const listeners = this.onceListeners.get(event) ?? [];
    this.onceListeners.delete(event);
    for (const listener of listeners) listener();
  }

  show(): void {
    this.shown = true;
  }

  async loadURL(url: string): Promise<void> {
    this.stateAtLoad.push({ listeners: [...this.webContents.listeners.keys()].sort(), windowOpenHandler: this.webContents.windowOpenHandler !== null });
    this.loaded.push(url);
    this.webContents.mainFrame.url = url;
    if (this.loadFailure) throw this.loadFailure;
  }
}
