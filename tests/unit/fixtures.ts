// Values several unit tests share.
import { normalize } from '../../src/shared/emotions';
import type { TextResult } from '../../src/features/text/protocol';

/** A text-channel result that is all joy, as the worker would send it. */
export const JOY_RESULT: TextResult = {
  scores: normalize({ anger: 0, disgust: 0, fear: 0, joy: 1, neutral: 0, sadness: 0, surprise: 0 }),
  top: 'joy',
  topScore: 1,
  inferenceMs: 1,
  device: 'wasm',
  dtype: 'q8',
  modelId: 'a/b',
  chunks: 1,
  tokens: 1,
};
