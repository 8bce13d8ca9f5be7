// @vitest-environment node
// The face channel end to end in Node: the app's pipeline (src/features/faces/face-pipeline.ts) with the
// converted models on onnxruntime-node and sharp for pixels, on photos cut from the samples in
// @vladmandic/human's package: a smiling person is one face reading joy, three people are three
// faces, the ceiling lamps are no face. The models and the pictures come from
// tests/support/face-node.mjs, shared with tests/node/face-precision.test.ts and the bench.
import { beforeAll, describe, expect, it } from 'vitest';
import { topEmotion } from '../../src/shared/emotions';
import { pictureScores } from '../../src/features/faces/faces';
import { readFaces, type FaceImage, type FaceModels } from '../../src/features/faces/face-pipeline';
import { loadFaceModels, sharpImage } from '../support/face-node.mjs';
import { manAtTable, noFace, smilingPerson, threePeople } from '../support/face-photos.mjs';

let models: FaceModels;

beforeAll(async () => {
  models = await loadFaceModels();
});

/** A JPEG as the pipeline's picture, with sharp doing what the worker's canvas does. */
const picture = (jpeg: Buffer): Promise<FaceImage> => sharpImage(jpeg);

describe('the face pipeline on photos', () => {
  it('a smiling person: one face, boxed on the face, reading joy', async () => {
    const image = await picture(await smilingPerson());
    const faces = await readFaces(image, models);
    expect(faces).toHaveLength(1);
    const [face] = faces;
    expect(face!.score).toBeGreaterThan(0.7);
    expect(topEmotion(face!.scores).emotion).toBe('joy');
    // The box lies inside the picture and covers a plausible share of it.
    expect(face!.box.x1).toBeGreaterThanOrEqual(0);
    expect(face!.box.x2).toBeLessThanOrEqual(image.width);
    const share = ((face!.box.x2 - face!.box.x1) * (face!.box.y2 - face!.box.y1)) / (image.width * image.height);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.8);
    expect(topEmotion(pictureScores(faces)!).emotion).toBe('joy');
  });

  it('three people: three faces', async () => {
    const faces = await readFaces(await picture(await threePeople()), models);
    expect(faces).toHaveLength(3);
    const centers = faces.map((f) => (f.box.x1 + f.box.x2) / 2).sort((a, b) => a - b);
    expect(centers[1]! - centers[0]!).toBeGreaterThan(20);
    expect(centers[2]! - centers[1]!).toBeGreaterThan(20);
  });

  it('ceiling lamps: no face, and so no picture scores', async () => {
    const faces = await readFaces(await picture(await noFace()), models);
    expect(faces).toEqual([]);
    expect(pictureScores(faces)).toBeNull();
  });

  it('a man at a table: one face', async () => {
    expect(await readFaces(await picture(await manAtTable()), models)).toHaveLength(1);
  });
});
