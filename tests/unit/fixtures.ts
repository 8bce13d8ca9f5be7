// Values several unit tests share.
import { normalize } from '../../src/shared/emotions';
import { configKey, type LoadedModelInfo, type ModelConfig, type TextResult } from '../../src/features/text/protocol';

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

/**
 * What a fake EmotionClient needs to tell what is loaded, as the real one does (the one owner of
 * that knowledge): `markLoaded` when the fake "loads", `forget` when its worker "ends".
 */
export function loadedTracking() {
  let loaded: { key: string; model: LoadedModelInfo } | null = null;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  return {
    isLoaded: (config: ModelConfig) => loaded?.key === configKey(config),
    loadedModel: (config: ModelConfig) => (loaded?.key === configKey(config) ? loaded.model : null),
    onLoadedChange(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    markLoaded(config: ModelConfig, model: LoadedModelInfo) {
      loaded = { key: configKey(config), model };
      changed();
    },
    forget() {
      loaded = null;
      changed();
    },
  };
}
