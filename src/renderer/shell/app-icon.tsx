// An app's icon from the server, or its initials on a colour of its own when it has none or the image fails to load.
import { useState } from 'react';
import type { CatalogImage } from '../../shared/catalog-protocol';
import { imageUrl } from './image-url';
import { useServerUrl } from './server-url';

export interface AppIconProps {
  name: string;
  icon: CatalogImage | null;
  /** Shown size in CSS pixels (square). */
  size: number;
  /** Tiles take the server-made thumbnail; the details page the full image. */
  variant: 'thumbnail' | 'full';
}

/** Decorative: the app's name is always next to it, so the icon is hidden from assistive technology. */
export function AppIcon({ name, icon, size, variant }: AppIconProps) {
  const serverUrl = useServerUrl();
  const [failed, setFailed] = useState(false);
  if (icon === null || serverUrl === null || failed) {
    return (
      <span className={`app-icon app-icon-placeholder hue-${hueOf(name)}`} style={{ width: size, height: size, fontSize: size * 0.38 }} aria-hidden="true">
        {initialsOf(name)}
      </span>
    );
  }
  const sha256 = variant === 'thumbnail' ? icon.thumbnailSha256 : icon.sha256;
  return <img className="app-icon" src={imageUrl(serverUrl, sha256)} alt="" width={size} height={size} loading="lazy" decoding="async" onError={() => setFailed(true)} />;
}

/** Up to two letters: the first of the first two words, or the first two of a single word. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/[\s\-_.]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [...(words[0] ?? '')].slice(0, 2) : words.slice(0, 2).map((word) => [...word][0] ?? '');
  return letters.join('').toUpperCase();
}

const HUES = 6;

/** One of a few placeholder colours, always the same for the same name. */
export function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % HUES;
}
