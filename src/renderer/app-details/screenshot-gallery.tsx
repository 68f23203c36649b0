// The screenshots as a row of thumbnails; each opens the large view, and focus comes back to the one last shown.
import { useRef, useState } from 'react';
import type { Screenshot } from '../../shared/catalog-protocol';
import { useI18n } from '../i18n/use-i18n';
import { imageUrl } from '../shell/image-url';
import { ScreenshotViewer, useScreenshotAlt } from './screenshot-viewer';

const THUMBNAIL_HEIGHT = 150;

export function ScreenshotGallery({ screenshots, serverUrl }: { screenshots: Screenshot[]; serverUrl: string }) {
  const { t } = useI18n();
  const altOf = useScreenshotAlt(screenshots.length);
  const [open, setOpen] = useState<number | null>(null);
  const shownLast = useRef(0);
  const thumbnails = useRef<(HTMLButtonElement | null)[]>([]);

  return (
    <section aria-labelledby="screenshots-heading" className="detail-section">
      <h2 id="screenshots-heading">{t('details.screenshots')}</h2>
      <ul className="gallery">
        {screenshots.map((shot, index) => (
          <li key={shot.sha256}>
            <button
              type="button"
              className="gallery-thumbnail"
              ref={(element) => {
                thumbnails.current[index] = element;
              }}
              onClick={() => {
                shownLast.current = index;
                setOpen(index);
              }}
            >
              <img
                src={imageUrl(serverUrl, shot.thumbnailSha256)}
                alt={altOf(shot, index)}
                height={THUMBNAIL_HEIGHT}
                width={Math.round((shot.width / shot.height) * THUMBNAIL_HEIGHT)}
                loading="lazy"
                decoding="async"
              />
            </button>
          </li>
        ))}
      </ul>
      {open !== null && (
        <ScreenshotViewer
          screenshots={screenshots}
          serverUrl={serverUrl}
          index={open}
          onIndexChange={(index) => {
            shownLast.current = index;
            setOpen(index);
          }}
          onClose={() => setOpen(null)}
          returnFocus={() => thumbnails.current[shownLast.current] ?? null}
        />
      )}
    </section>
  );
}
