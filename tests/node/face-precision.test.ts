// @vitest-environment node
// The face channel on photos from outside this repo (tests/fixtures/faces, public domain, CC0 and
// CC BY samples from Debian packages): a photo without a person gives no face, and each portrait its
// one face. Before the face landmark model checked each detection, the cup of coffee, the cat,
// the horse, the raccoon, the microaneurysm photo, the cell and the flower each reported a face
// (issue: "faces where there are none"); bench/face/precision.mjs measures the same on 193 photos.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pictureScores } from '../../src/features/faces/faces';
import { readFaces, type FaceModels } from '../../src/features/faces/face-pipeline';
import { loadFaceModels, sharpImage } from '../support/face-node.mjs';

const DIR = 'tests/fixtures/faces/';
const NO_FACE = ['coffee.jpg', 'chelsea.jpg', 'horse.png', 'rocket.jpg', 'clock.jpg', 'text.png', 'hubble.jpg', 'microaneurysms.png', 'retina.jpg', 'brick.jpg', 'grass.jpg', 'gravel.jpg', 'raccoon.jpg', 'cell.jpg', 'flower.jpg'];
const ONE_FACE = ['astronaut.jpg', 'camera.jpg', 'grace-hopper.jpg'];

let models: FaceModels;
beforeAll(async () => {
  models = await loadFaceModels();
});

describe('faces on photos from elsewhere', () => {
  it.each(NO_FACE)('%s: no face, so no picture scores', async (file) => {
    const faces = await readFaces(await sharpImage(readFileSync(DIR + file)), models);
    expect(faces.map((f) => f.score)).toEqual([]);
    expect(pictureScores(faces)).toBeNull();
  });

  it.each(ONE_FACE)('%s: one face, boxed inside the picture', async (file) => {
    const image = await sharpImage(readFileSync(DIR + file));
    const faces = await readFaces(image, models);
    expect(faces).toHaveLength(1);
    const { box } = faces[0]!;
    expect(box.x1).toBeGreaterThanOrEqual(0);
    expect(box.x2).toBeLessThanOrEqual(image.width);
    expect(box.x2 - box.x1).toBeGreaterThan(image.width / 10);
  });

  it('the coffee cup: the detector does find candidates, and the verifier turns each down', async () => {
    let presences: number[] = [];
    const faces = await readFaces(await sharpImage(readFileSync(`${DIR}coffee.jpg`)), models, { onCandidates: (c) => (presences = c.map((x) => x.presence)) });
    expect(faces).toEqual([]);
    expect(presences.length).toBeGreaterThan(0);
    for (const p of presences) expect(p).toBeLessThan(0.1);
  });
});
