// Photos for the face channel's tests, cut at test time from the sample pictures that ship in
// @vladmandic/human's npm package (a devDependency), so no third-party photo is committed here.
// Each is a JPEG Buffer; the crops were chosen by looking at the pictures (see docs/DEVELOPMENT.md).
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';

const ASSETS = fileURLToPath(new URL('../../node_modules/@vladmandic/human/assets/', import.meta.url));
const SAMPLES = `${ASSETS}samples.jpg`;

/** @param {{ left: number, top: number, width: number, height: number }} region */
function crop(region, upscale = 1) {
  const img = sharp(SAMPLES).extract(region);
  return (upscale === 1 ? img : img.resize(Math.round(region.width * upscale))).jpeg({ quality: 92 }).toBuffer();
}

/** One person, smiling (a woman in the large group photo). */
export const smilingPerson = () => crop({ left: 198, top: 430, width: 220, height: 240 }, 2);

const FIXTURES = fileURLToPath(new URL('../fixtures/faces/', import.meta.url));

/**
 * Three people side by side: the public-domain / CC0 portraits of tests/fixtures/faces (astronaut,
 * cameraman, Grace Hopper), each cut to 240 x 300 around the head. (The three-people tile of
 * human's samples.jpg was used before: its faces are ~15 px of blocky JPEG with the demo's text
 * drawn over them, below what the face landmark model accepts as a face.)
 */
export async function threePeople() {
  const parts = [
    ['astronaut.jpg', { left: 130, top: 20, width: 240, height: 300 }],
    ['camera.jpg', { left: 100, top: 40, width: 240, height: 300 }],
    ['grace-hopper.jpg', { left: 140, top: 60, width: 240, height: 300 }],
  ];
  const tiles = await Promise.all(parts.map(([file, region]) => sharp(`${FIXTURES}${file}`).extract(region).toBuffer()));
  return sharp({ create: { width: 720, height: 300, channels: 3, background: '#808080' } })
    .composite(tiles.map((input, i) => ({ input, left: i * 240, top: 0 })))
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** No face: the ceiling lamps above the group. */
export const noFace = () => crop({ left: 700, top: 200, width: 560, height: 130 }, 2);

/** One man, not smiling much (the third photo of the top strip). */
export const manAtTable = () => crop({ left: 326, top: 0, width: 210, height: 158 }, 3);
