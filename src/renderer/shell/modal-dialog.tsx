// A modal native <dialog>: opened with showModal (the rest of the page is inert), Escape closes, focus goes back after.
import { useEffect, useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

export interface ModalDialogProps {
  /** The id of the element that names the dialog (its heading). */
  labelledBy: string;
  describedBy?: string;
  className?: string;
  onClose(): void;
  /** Where focus goes when the dialog closes; the element focused before it opened by default (if it is still there). */
  returnFocus?(): HTMLElement | null;
  onKeyDown?(event: KeyboardEvent<HTMLDialogElement>): void;
  children: ReactNode;
}

/** Mounted means open: render it while the dialog should show, and unmount it to close. */
export function ModalDialog({ labelledBy, describedBy, className, onClose, returnFocus, onKeyDown, children }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      const target = returnFocusRef.current?.() ?? opener;
      if (target?.isConnected) target.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={['modal', className].filter(Boolean).join(' ')}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-modal="true"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={onKeyDown}
    >
      {children}
    </dialog>
  );
}
