// Prepares a picture on the device before it goes anywhere: the type from magic bytes, the size
// from the header before decoding (so a decompression bomb is refused, not decoded), decoding with
// EXIF orientation applied, downscaling, and re-encoding as JPEG, which drops EXIF and GPS on
// every path, small files included. The result stays under the provider's request limit.
import { ACCEPTED_FORMATS, MAX_PIXELS, MAX_SIDE, fitWithin, readImageSize, sniffImageFormat, type ImageFormat } from '../../shared/image-format';
import { VisionError } from './errors';
import { blobToDataUrl } from '../../shared/data-url';

/** A picture ready to send. */
export interface PreparedImage {
  /** JPEG as a data: URL, the form the chat API takes. */
  readonly dataUrl: string;
  readonly blob: Blob;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly sourceFormat: ImageFormat;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly sourceBytes: number;
  readonly name: string;
  /** About 256 px JPEG for the history (never the original). */
  readonly thumbnail: Blob;
}

/** Long side of history thumbnails. */
export const THUMBNAIL_SIDE = 256;

/** Groq accepts base64 requests up to 4 MB; the picture keeps well below, leaving room for the prompt. */
export const MAX_DATA_URL_CHARS = 3_500_000;

const HEADER_BYTES = 512 * 1024;

/** Reads, checks, decodes, downscales and re-encodes `file`; rejects with a VisionError. */
export async function prepareImage(file: Blob & { name?: string }, maxSide: number): Promise<PreparedImage> {
  if (file.size === 0) throw new VisionError('image-empty', 'The file is empty.');
  const head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
  const format = sniffImageFormat(head);
  if (format === 'heic' || format === 'avif') {
    // Only Safari decodes HEIC; try, and say why it failed elsewhere.
    return await decodeAndEncode(file, format, null, maxSide).catch(() => {
      throw new VisionError('image-heic', `${format.toUpperCase()} could not be decoded in this browser.`);
    });
  }
  if (!format || !ACCEPTED_FORMATS.includes(format)) {
    throw new VisionError('image-unsupported', format ? `${format.toUpperCase()} is not supported.` : 'Unknown file type.');
  }
  const size = readImageSize(head, format);
  if (!size || size.width === 0 || size.height === 0) throw new VisionError('image-corrupt', 'The picture header could not be read.');
  if (size.width * size.height > MAX_PIXELS || size.width > MAX_SIDE || size.height > MAX_SIDE) {
    throw new VisionError('image-too-big', `${size.width} × ${size.height} pixels`);
  }
  return await decodeAndEncode(file, format, size, maxSide);
}

async function decodeAndEncode(
  file: Blob & { name?: string },
  format: ImageFormat,
  headerSize: { width: number; height: number } | null,
  maxSide: number,
): Promise<PreparedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (err) {
    throw new VisionError('image-corrupt', err instanceof Error ? err.message : String(err));
  }
  try {
    let side = maxSide;
    let quality = 0.85;
    for (;;) {
      const target = fitWithin(bitmap.width, bitmap.height, side);
      const blob = await encodeJpeg(bitmap, target.width, target.height, quality);
      const dataUrl = await blobToDataUrl(blob);
      if (dataUrl.length <= MAX_DATA_URL_CHARS || side <= 256) {
        const small = fitWithin(bitmap.width, bitmap.height, THUMBNAIL_SIDE);
        const thumbnail = await encodeJpeg(bitmap, small.width, small.height, 0.7);
        return {
          thumbnail,
          dataUrl,
          blob,
          width: target.width,
          height: target.height,
          bytes: blob.size,
          sourceFormat: format,
          sourceWidth: headerSize?.width ?? bitmap.width,
          sourceHeight: headerSize?.height ?? bitmap.height,
          sourceBytes: file.size,
          name: file.name ?? 'picture',
        };
      }
      // Still too large for the provider: shrink and compress more until it fits.
      side = Math.round(side * 0.75);
      quality = Math.max(0.6, quality - 0.1);
    }
  } finally {
    bitmap.close();
  }
}

async function encodeJpeg(bitmap: ImageBitmap, width: number, height: number, quality: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new VisionError('image-corrupt', 'No 2D canvas available.');
  // JPEG has no transparency: paint transparent areas white rather than black.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  return await canvas.convertToBlob({ type: 'image/jpeg', quality });
}
