// The module scripts/lib/face-models-plugin.mjs makes at build time (and in `vite` dev). Only the
// face worker imports it, so vitest, which has no such plugin, never meets it.
declare module 'virtual:face-models' {
  /** URL of the face detector (blazeface, ONNX), on our own origin. */
  export const detectorUrl: string;
  /** URL of the face landmark model (FaceMesh, ONNX), the detector's verifier, on our own origin. */
  export const verifierUrl: string;
  /** URL of the confirming face detector (FaceBoxes, ONNX, its convolutions only), on our own origin. */
  export const confirmerUrl: string;
  /** The confirming detector's output names: its three grids' class logits and box encodings. */
  export const confirmerOutputs: { readonly classes: readonly string[]; readonly boxes: readonly string[] };
  /** URL of the expression model (mini-Xception, ONNX), on our own origin. */
  export const expressionUrl: string;
  /** Version of @vladmandic/human the models were converted from. */
  export const humanVersion: string;
}
