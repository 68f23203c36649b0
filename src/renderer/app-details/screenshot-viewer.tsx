// The large view of one screenshot in a modal dialog: ← and → page through them (round), Escape closes.
import type { KeyboardEvent } from 'react';
import type { Screenshot } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { imageUrl } from '../shell/image-url';
import { ModalDialog } from '../shell/modal-dialog';

/** ← shows the previous screenshot, → the next. */
const ARROW_STEPS: Partial<Record<string, number>> = { ArrowLeft: -1, ArrowRight: 1 };

/** The index a step from another lands on, round the ends. */
export function wrapIndex(index: number, total: number): number {
  return ((index % total) + total) % total;
}

export interface ScreenshotViewerProps {
  screenshots: Screenshot[];
  serverUrl: string;
  index: number;
  onIndexChange(index: number): void;
  onClose(): void;
  returnFocus(): HTMLElement | null;
}

/** "Screenshot 2 of 5", with the caption after it when there is one. */
export function useScreenshotAlt(total: number): (shot: Screenshot, index: number) => string {
  const { t } = useI18n();
  return (shot, index) =>
    shot.caption.trim() === '' ? t('details.screenshotAlt', { index: index + 1, total }) : t('details.screenshotAltCaption', { index: index + 1, total, caption: shot.caption });
}

export function ScreenshotViewer({ screenshots, serverUrl, index, onIndexChange, onClose, returnFocus }: ScreenshotViewerProps) {
  const { t } = useI18n();
  const altOf = useScreenshotAlt(screenshots.length);
  const shot = screenshots[index];
  // Wraps around, so neither button is ever disabled under the focus that pressed it.
  const go = (next: number) => onIndexChange(wrapIndex(next, screenshots.length));

  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    const step = ARROW_STEPS[event.key];
    if (step !== undefined) {
      event.preventDefault();
      go(index + step);
    }
  }

  if (shot === undefined) return null;
  return (
    <ModalDialog labelledBy="viewer-title" className="viewer" onClose={onClose} returnFocus={returnFocus} onKeyDown={onKeyDown}>
      <div className="viewer-bar">
        <h2 id="viewer-title" className="viewer-title">
          {t('details.screenshotPosition', { index: index + 1, total: screenshots.length })}
        </h2>
        <button type="button" className="secondary" onClick={onClose}>
          {t('app.close')}
        </button>
      </div>
      <figure className="viewer-figure">
        <img src={imageUrl(serverUrl, shot.sha256)} alt={altOf(shot, index)} width={shot.width} height={shot.height} decoding="async" />
        {shot.caption.trim() !== '' && <figcaption>{shot.caption}</figcaption>}
      </figure>
      <div className="viewer-nav">
        <button type="button" className="secondary" onClick={() => go(index - 1)}>
          {t('details.previousScreenshot')}
        </button>
        <button type="button" className="secondary" onClick={() => go(index + 1)}>
          {t('details.nextScreenshot')}
        </button>
      </div>
    </ModalDialog>
  );
}
