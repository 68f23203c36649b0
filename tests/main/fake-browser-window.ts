// A small stand-in for Electron's BrowserWindow: the options it was made with, its FakeWebContents, what it loaded.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { FakeWebContents } from './fake-web-contents';

type Listener = (...args: unknown[]) => void;

export class FakeBrowserWindow {
  readonly webContents: FakeWebContents;
  readonly loaded: string[] = [];
  shown = false;
  /** What the window had in place when it was asked to load: trusted, and with its navigation rules. */
  readonly stateAtLoad: { listeners: string[]; windowOpenHandler: boolean }[] = [];
  /** When set, loadURL rejects with it, as Electron does when the page cannot load. */
  loadFailure: Error | null = null;
  /** The window methods called on it, with their arguments, in order. */
  readonly calls: [string, ...unknown[]][] = [];
  destroyed = false;
  private readonly listeners = new Map<string, { listener: Listener; once: boolean }[]>();

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

  on(event: string, listener: Listener): this {
    return this.listen(event, listener, false);
  }

  once(event: string, listener: Listener): this {
    return this.listen(event, listener, true);
  }

  emit(event: string, ...args: unknown[]): void {
    const listeners = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      listeners.filter((entry) => !entry.once),
    );
    for (const { listener } of listeners) listener(...args);
  }

  /** Emits 'close' as Electron does when the user closes the window, and reports whether a listener prevented it. */
  tryClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    return prevented;
  }

  setAlwaysOnTop(...args: unknown[]): void {
    this.calls.push(['setAlwaysOnTop', ...args]);
  }

  setVisibleOnAllWorkspaces(...args: unknown[]): void {
    this.calls.push(['setVisibleOnAllWorkspaces', ...args]);
  }

  removeMenu(): void {
    this.calls.push(['removeMenu']);
  }

  setKiosk(flag: boolean): void {
    this.calls.push(['setKiosk', flag]);
  }

  focus(): void {
    this.calls.push(['focus']);
  }

  isMinimized(): boolean {
    return false;
  }

  close(): void {
    this.calls.push(['close']);
    if (!this.tryClose()) this.destroy();
  }

  /** Closes without 'close', as Electron's destroy() does. */
  destroy(): void {
    this.calls.push(['destroy']);
    this.destroyed = true;
    this.emit('closed');
    this.webContents.destroy();
  }

  private listen(event: string, listener: Listener, once: boolean): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { listener, once }]);
    return this;
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
