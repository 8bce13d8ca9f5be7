// @vitest-environment node
// The face channel end to end in Node: the app's pipeline (src/features/faces/face-pipeline.ts) with the
// converted models on onnxruntime-node and sharp for pixels, on photos cut from the samples in
// @vladmandic/human's package: a smiling person is one face reading joy, three people are three
// faces, the ceiling lamps are no face.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertGraphModel } from '../../scripts/lib/tfjs-to-onnx.mjs';
import { topEmotion } from '../../src/shared/emotions';
import { pictureScores } from '../../src/features/faces/faces';
import { readFaces, type FaceImage, type FaceModels } from '../../src/features/faces/face-pipeline';
import { manAtTable, noFace, smilingPerson, threePeople } from '../support/face-photos.mjs';

const DIR = 'node_modules/@vladmandic/human/models';
let models: FaceModels;

beforeAll(async () => {
  const session = (name: string) =>
    ort.InferenceSession.create(convertGraphModel(JSON.parse(readFileSync(`${DIR}/${name}.json`, 'utf8')), readFileSync(`${DIR}/${name}.bin`), { name }));
  const [detector, expression] = await Promise.all([session('blazeface'), session('emotion')]);
  models = {
    async detect(input) {
      const out = await detector.run({ [detector.inputNames[0]!]: new ort.Tensor('float32', input, [1, 256, 256, 3]) });
      const f = (name: string) => out[name]!.data as Float32Array;
      return { logits: [...f('Identity'), ...f('Identity_1')], regressors: [...f('Identity_2'), ...f('Identity_3')] };
    },
    async expressions(batch, count) {
      const out = await expression.run({ [expression.inputNames[0]!]: new ort.Tensor('float32', batch, [count, 64, 64, 1]) });
      return out.Identity!.data as Float32Array;
    },
  };
});

/** A JPEG as the pipeline's picture, with sharp doing what the worker's canvas does. */
async function picture(jpeg: Buffer): Promise<FaceImage> {
  const { data, info } = await sharp(jpeg).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: 4 as const } };
  return {
    width: info.width,
    height: info.height,
    async fitted(size, fit) {
      const w = Math.round(info.width * fit.scale);
      const h = Math.round(info.height * fit.scale);
      const left = Math.floor(fit.padX);
      const top = Math.floor(fit.padY);
      return sharp(data, raw)
        .resize(w, h)
        .extend({ left, top, right: size - w - left, bottom: size - h - top, background: { r: 0, g: 0, b: 0, alpha: 1 } })
        .ensureAlpha()
        .raw()
        .toBuffer();
    },
    async region(box, size) {
      const left = Math.floor(box.x1);
      const top = Math.floor(box.y1);
      const width = Math.max(1, Math.min(info.width - left, Math.round(box.x2 - box.x1)));
      const height = Math.max(1, Math.min(info.height - top, Math.round(box.y2 - box.y1)));
      return sharp(data, raw).extract({ left, top, width, height }).resize(size, size, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
    },
  };
}

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
    const centres = faces.map((f) => (f.box.x1 + f.box.x2) / 2).sort((a, b) => a - b);
    expect(centres[1]! - centres[0]!).toBeGreaterThan(20);
    expect(centres[2]! - centres[1]!).toBeGreaterThan(20);
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
