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

/** Three people side by side (the last photo of the top strip). */
export const threePeople = () => crop({ left: 1130, top: 0, width: 135, height: 158 }, 3);

/** No face: the ceiling lamps above the group. */
export const noFace = () => crop({ left: 700, top: 200, width: 560, height: 130 }, 2);

/** One man, not smiling much (the third photo of the top strip). */
export const manAtTable = () => crop({ left: 326, top: 0, width: 210, height: 158 }, 3);
