// Checks an uploaded icon or screenshot by its decoded content (PNG, JPEG or WebP only) and makes its thumbnail, with sharp.
import sharp from 'sharp';
import { MAX_IMAGE_BYTES, MAX_IMAGE_DIMENSION } from '../../shared/catalog-protocol';
import { badRequest, HttpError } from '../app/http-errors';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const IMAGE_CONTENT_TYPES: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
/** Width of the thumbnails the server makes; an image no wider is its own thumbnail. */
export const THUMBNAIL_WIDTH = 256;

export interface CheckedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** WebP at THUMBNAIL_WIDTH, or null when the image is already that small. */
  thumbnail: Buffer | null;
}

const isAccepted = (format: string | undefined): format is ImageFormat => format === 'png' || format === 'jpeg' || format === 'webp';

/** sharp refuses a larger image before decoding it, so a small file cannot unpack into gigabytes of pixels. */
const decodeOptions = { limitInputPixels: MAX_IMAGE_DIMENSION * MAX_IMAGE_DIMENSION, failOn: 'warning' } as const;

/**
 * Decodes the whole image (a truncated or corrupt one fails here, not in a viewer) and makes its thumbnail.
 *
 * The format is what the bytes decode as, never a file name or a declared type: an SVG (which can carry script)
 * renamed to .png is still an SVG, and refused.
 */
export async function checkImage(bytes: Buffer): Promise<CheckedImage> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new HttpError(413, 'payload_too_large', `An image may be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MiB; make it smaller.`);
  let metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new HttpError(415, 'unsupported_media_type', 'The file is not an image the server can read; upload a PNG, JPEG or WebP image.');
  }
  if (!isAccepted(metadata.format)) {
    throw new HttpError(415, 'unsupported_media_type', `Only PNG, JPEG and WebP images are accepted, and this file is ${metadata.format === 'svg' ? 'an SVG' : `${metadata.format} data`}.`);
  }
  const { width, height } = metadata;
  if (width > MAX_IMAGE_DIMENSION || height > MAX_IMAGE_DIMENSION) {
    throw badRequest(`The image is ${width}×${height} pixels; its width and height may be at most ${MAX_IMAGE_DIMENSION}.`);
  }
  try {
    // Making the thumbnail decodes every pixel; an image that needs none is decoded by stats() instead.
    const thumbnail = width > THUMBNAIL_WIDTH ? await sharp(bytes, decodeOptions).resize({ width: THUMBNAIL_WIDTH }).webp({ quality: 80 }).toBuffer() : null;
    if (thumbnail === null) await sharp(bytes, decodeOptions).stats();
    return { format: metadata.format, width, height, thumbnail };
  } catch {
    throw badRequest(`The ${metadata.format.toUpperCase()} image is truncated or corrupt; export it again and upload the whole file.`);
  }
}

