// Reads what a picture is from its bytes, before anything decodes it: the format from magic
// bytes (never the file name), the dimensions from the header (to refuse decompression bombs),
// and whether a JPEG still carries EXIF. Pure functions over Uint8Array.

/** Formats recognized by their magic bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'heic' | 'avif' | 'bmp';

/** Formats the app decodes and sends (GIF: first frame). */
export const ACCEPTED_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'gif'];

/** Largest picture accepted for decoding: about 50 megapixels, 16384 px a side. */
export const MAX_PIXELS = 50_000_000;
export const MAX_SIDE = 16_384;

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

/** The format the bytes start with, or null when none of the known ones. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && ascii(bytes, 1, 3) === 'PNG' && bytes[0] === 0x89 && bytes[4] === 0x0d && bytes[5] === 0x0a) return 'png';
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (bytes.length >= 2 && ascii(bytes, 0, 2) === 'BM') return 'bmp';
  if (bytes.length >= 12 && ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (['avif', 'avis'].includes(brand)) return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  return null;
}

/** Width and height from the header of a JPEG, PNG, GIF or WebP; null when it cannot be read. */
export function readImageSize(bytes: Uint8Array, format: ImageFormat): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    switch (format) {
      case 'png':
        return ascii(bytes, 12, 4) === 'IHDR' ? { width: view.getUint32(16), height: view.getUint32(20) } : null;
      case 'gif':
        return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
      case 'webp':
        return webpSize(bytes, view);
      case 'jpeg':
        return jpegSize(bytes, view);
      default:
        return null;
    }
  } catch {
    return null; // header shorter than it claims
  }
}

function webpSize(bytes: Uint8Array, view: DataView): { width: number; height: number } | null {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8X') {
    const w = 1 + (view.getUint16(24, true) | (view.getUint8(26) << 16));
    const h = 1 + (view.getUint16(27, true) | (view.getUint8(29) << 16));
    return { width: w, height: h };
  }
  if (chunk === 'VP8L') {
    const b = view.getUint32(21, true);
    return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  return null;
}

/** Walks JPEG segments to the first start-of-frame marker. */
function jpegSize(bytes: Uint8Array, view: DataView): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    if (marker === 0xd9 || marker === 0xda) return null;
    i += 2 + view.getUint16(i + 2);
  }
  return null;
}

/** True when a JPEG has an APP1 "Exif" segment (where camera data and GPS live). */
export function jpegHasExif(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 2;
  while (i + 4 < bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xda || marker === 0xd9) return false;
    if (marker === 0xe1 && ascii(bytes, i + 4, 4) === 'Exif') return true;
    i += 2 + view.getUint16(i + 2);
  }
  return false;
}

/** Size that fits within `maxSide` on its long side, keeping the aspect ratio; never upscales. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
