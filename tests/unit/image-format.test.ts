import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitWithin, jpegHasExif, readImageSize, sniffImageFormat } from '../../src/shared/image-format';

const image = (name: string) => new Uint8Array(readFileSync(join(process.cwd(), 'tests/fixtures/images', name)));

describe('image format from bytes', () => {
  it('tells formats by magic bytes, not by name', () => {
    expect(sniffImageFormat(image('smile.jpg'))).toBe('jpeg');
    expect(sniffImageFormat(image('small.png'))).toBe('png');
    expect(sniffImageFormat(image('photo.webp'))).toBe('webp');
    expect(sniffImageFormat(image('anim.gif'))).toBe('gif');
    expect(sniffImageFormat(image('sample.heic'))).toBe('heic');
    expect(sniffImageFormat(image('not-an-image.jpg'))).toBeNull();
    expect(sniffImageFormat(new Uint8Array())).toBeNull();
  });

  it('reads dimensions from the header', () => {
    expect(readImageSize(image('smile.jpg'), 'jpeg')).toEqual({ width: 640, height: 480 });
    expect(readImageSize(image('rotated.jpg'), 'jpeg')).toEqual({ width: 400, height: 200 });
    expect(readImageSize(image('small.png'), 'png')).toEqual({ width: 64, height: 64 });
    expect(readImageSize(image('photo.webp'), 'webp')).toEqual({ width: 320, height: 240 });
    expect(readImageSize(image('anim.gif'), 'gif')).toEqual({ width: 64, height: 64 });
  });

  it('reads the declared size of a decompression bomb without decoding it', () => {
    const bytes = image('huge.png');
    expect(bytes.length).toBeLessThan(1024);
    expect(readImageSize(bytes, 'png')).toEqual({ width: 20000, height: 20000 });
  });

  it('does not crash on a truncated header', () => {
    expect(readImageSize(image('smile.jpg').subarray(0, 30), 'jpeg')).toBeNull();
    expect(readImageSize(image('small.png').subarray(0, 10), 'png')).toBeNull();
  });

  it('finds EXIF in a JPEG that has it', () => {
    expect(jpegHasExif(image('smile.jpg'))).toBe(true);
    expect(jpegHasExif(image('rotated.jpg'))).toBe(true);
  });

  it('fits within a long side without upscaling', () => {
    expect(fitWithin(4000, 3000, 1024)).toEqual({ width: 1024, height: 768 });
    expect(fitWithin(300, 4000, 1024)).toEqual({ width: 77, height: 1024 });
    expect(fitWithin(200, 100, 1024)).toEqual({ width: 200, height: 100 });
  });
});
