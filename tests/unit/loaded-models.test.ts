// Settings' Memory list (LoadedModelsState) over fake clients: what is loaded, kept up to date as
// the clients say it changed; Unload releases the model and says what happened.
import { describe, expect, it } from 'vitest';
import { LoadedModelsState } from '../../src/features/settings/loaded-models.svelte';
import type { LoadedModelInfo } from '../../src/features/text/protocol';

function fakeClient<T>(initial: T) {
  const listeners = new Set<() => void>();
  const client = {
    loaded: initial,
    released: [] as string[],
    release(reason = 'user') {
      if (!client.loaded) return false;
      client.released.push(reason);
      client.loaded = (typeof initial === 'boolean' ? false : null) as T;
      listeners.forEach((l) => l());
      return true;
    },
    onLoadedChange(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value: T) {
      client.loaded = value;
      listeners.forEach((l) => l());
    },
  };
  return client;
}

const model: LoadedModelInfo = { source: { host: 'http://127.0.0.1:1', modelId: 'a/b' }, device: 'wasm', dtype: 'q8', engine: 'litert', loadMs: 1234 };

describe('LoadedModelsState', () => {
  it('lists what the clients hold, follows their changes, and unloads on request', () => {
    const text = fakeClient<LoadedModelInfo | null>(null);
    const faces = fakeClient(false);
    const state = new LoadedModelsState(text, faces);
    expect(state.entries).toEqual([]);
    text.set(model);
    faces.set(true);
    expect(state.entries.map((e) => e.kind)).toEqual(['text', 'faces']);
    expect(state.entries[0]!.detail).toBe('a/b, q8 on the processor with LiteRT.js; loaded in 1.2 s');
    state.unload('text');
    expect(text.released).toEqual(['user']);
    expect(state.message).toBe('The emotion model is unloaded. The next analysis loads it again from this device.');
    expect(state.entries.map((e) => e.kind)).toEqual(['faces']);
    state.unload('faces');
    expect(state.message).toBe('The face models are unloaded. The next analysis loads them again from this device.');
    state.unload('faces');
    expect(state.message).toBe('The face models are not loaded.');
    expect(state.entries).toEqual([]);
    expect(state.idleMinutes).toBe(10);
  });
});
