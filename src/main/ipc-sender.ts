// Who may call the agent over IPC: the main frame of one of our windows, showing the app's own origin. Checked on every channel.
import type { WebContents } from 'electron';
import { isAppUrl } from './app-origin';

/** The part of a frame the check reads; Electron's WebFrameMain has it. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: object | null;
  readonly detached?: boolean;
}

/** The part of an IPC event the check reads; Electron's IpcMainInvokeEvent has it. */
export interface IpcSenderEvent {
  sender: Pick<WebContents, 'id'>;
  /** Null when the frame navigated or was destroyed after sending. */
  senderFrame: SenderFrame | null;
}

/** What the check needs of a window we track: its main frame. */
export interface TrackedContents {
  readonly mainFrame: object;
}

/**
 * Whether an IPC message may reach the agent.
 *
 * All four must hold: the sender is a web contents we track (not a devtools extension's or a stray one), the frame is
 * still there, it is the main frame (a subframe could be anything the page embedded), and it shows the app's origin,
 * parsed (a frame that navigated away, or an about:blank one, does not).
 */
export function isTrustedSender(event: IpcSenderEvent, tracked: (id: number) => TrackedContents | undefined): boolean {
  const contents = tracked(event.sender.id);
  if (contents === undefined) return false;
  try {
    const frame = event.senderFrame;
    if (frame === null || frame.detached === true) return false;
    const isMainFrame = frame === contents.mainFrame || frame.parent === null;
    return isMainFrame && isAppUrl(frame.url);
  } catch {
    // Electron throws when a disposed frame is read: it cannot be trusted either.
    return false;
  }
}
