// The face pipeline's two edges in Node, shared by the Node tests and the precision bench: the
// models converted as the build converts them (scripts/lib/face-models-plugin.mjs) on
// onnxruntime-node (the FaceModels the worker builds on onnxruntime-web) and a picture decoded by
// sharp (the FaceImage the worker builds on an OffscreenCanvas).
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { FACE_MODELS, convertFaceModel } from '../../scripts/lib/face-models-plugin.mjs';

/** One of the face models (by its graph model's name: blazeface, facemesh, faceboxes, emotion), converted, in an onnxruntime-node session. */
export async function session(name) {
  const model = FACE_MODELS.find((m) => m.source === name);
  if (!model) throw new Error(`no face model ${name}`);
  return ort.InferenceSession.create(await convertFaceModel(model));
}

/** FaceBoxes' outputs in the order FaceModels.confirm answers them: class logits of its three grids, then box encodings. */
const CONFIRMER_OUTPUTS = FACE_MODELS.find((m) => m.source === 'faceboxes').cut.outputs;

/** @returns {Promise<import('../../src/features/faces/face-pipeline').FaceModels>} */
export async function loadFaceModels() {
  const [detector, mesh, confirmer, expression] = await Promise.all([session('blazeface'), session('facemesh'), session('faceboxes'), session('emotion')]);
  return {
    async detect(input) {
      const out = await detector.run({ [detector.inputNames[0]]: new ort.Tensor('float32', input, [1, 256, 256, 3]) });
      const f = (name) => out[name].data;
      return { logits: [...f('Identity'), ...f('Identity_1')], regressors: [...f('Identity_2'), ...f('Identity_3')] };
    },
    async presence(batch, count) {
      const out = await mesh.run({ [mesh.inputNames[0]]: new ort.Tensor('float32', batch, [count, 192, 192, 3]) });
      return out.Identity_1.data;
    },
    async confirm(batch, count) {
      const side = Math.round(Math.sqrt(batch.length / count / 3)); // square inputs of CONFIRM_SIZE
      const out = await confirmer.run({ input: new ort.Tensor('float32', batch, [count, side, side, 3]) });
      const data = CONFIRMER_OUTPUTS.map((name) => out[name].data);
      return { classes: data.slice(0, 3), boxes: data.slice(3) };
    },
    async expressions(batch, count) {
      const out = await expression.run({ [expression.inputNames[0]]: new ort.Tensor('float32', batch, [count, 64, 64, 1]) });
      return out.Identity.data;
    },
  };
}

/**
 * An encoded picture (JPEG, PNG, ...) as the pipeline's FaceImage, with sharp doing what the
 * worker's canvas does (EXIF orientation applied, as createImageBitmap does).
 * @param {Buffer | string} file
 * @returns {Promise<import('../../src/features/faces/face-pipeline').FaceImage>}
 */
export async function sharpImage(file) {
  const { data, info } = await sharp(file).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: 4 } };
  return {
    width: info.width,
    height: info.height,
    async fitted(size, fit) {
      const w = Math.max(1, Math.round(info.width * fit.scale));
      const h = Math.max(1, Math.round(info.height * fit.scale));
      const left = Math.floor(fit.padX);
      const top = Math.floor(fit.padY);
      return sharp(data, raw)
        .resize(w, h, { fit: 'fill' })
        .extend({ left, top, right: size - w - left, bottom: size - h - top, background: { r: 0, g: 0, b: 0, alpha: 1 } })
        .ensureAlpha()
        .raw()
        .toBuffer();
    },
    async region(box, size) {
      const left = Math.min(info.width - 1, Math.floor(box.x1));
      const top = Math.min(info.height - 1, Math.floor(box.y1));
      const width = Math.max(1, Math.min(info.width - left, Math.round(box.x2 - box.x1)));
      const height = Math.max(1, Math.min(info.height - top, Math.round(box.y2 - box.y1)));
      return sharp(data, raw).extract({ left, top, width, height }).resize(size, size, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
    },
  };
}
