// SettingsState driven directly with an in-memory store: a valid change is applied and saved in
// order, an invalid one is neither applied nor saved, and the status never says "Saved" for it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/features/settings/settings';
import { SettingsState } from '../../src/features/settings/settings.svelte';
import type { SettingsStore } from '../../src/features/settings/settings-store';

const FAILED = 'Could not save settings on this device; they apply until you close the page.';

/** A store in memory; `fail` makes the next writes reject, `hold` keeps them until released. */
function memoryStore(initial: Settings = DEFAULT_SETTINGS) {
  const fake = {
    stored: initial,
    writes: [] as Settings[],
    fail: false,
    held: [] as Array<() => void>,
    hold: false,
  };
  const store: SettingsStore = {
    load: async () => fake.stored,
    save: async (settings) => {
      if (fake.hold) await new Promise<void>((resolve) => fake.held.push(resolve));
      if (fake.fail) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      fake.writes.push(settings);
      fake.stored = settings;
    },
  };
  return { store, fake };
}

/** Lets the oldest held write go, once it has reached the store. */
async function release(fake: ReturnType<typeof memoryStore>['fake']): Promise<void> {
  while (fake.held.length === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  fake.held.shift()?.();
}

async function loaded(initial: Settings = DEFAULT_SETTINGS) {
  const { store, fake } = memoryStore(initial);
  const settings = new SettingsState(store);
  await settings.load();
  return { settings, fake };
}

describe('SettingsState.load', () => {
  it('reads the stored settings once, then says it has', async () => {
    const { store } = memoryStore({ ...DEFAULT_SETTINGS, imageMaxSide: 512 });
    const settings = new SettingsState(store);
    expect(settings.loaded).toBe(false);
    expect(settings.current).toEqual(DEFAULT_SETTINGS);
    await settings.load();
    expect(settings.loaded).toBe(true);
    expect(settings.current.imageMaxSide).toBe(512);
    expect(settings.saveStatus).toBe('idle');
  });
});

describe('SettingsState.update with valid values', () => {
  it('applies them at once and says "saved" only when the write has completed', async () => {
    const { settings, fake } = await loaded();
    fake.hold = true;
    const pending = settings.update({ imageMaxSide: 512, modelHost: 'https://mirror.example/hf/' });
    expect(settings.current.imageMaxSide).toBe(512);
    expect(settings.current.modelHost).toBe('https://mirror.example/hf');
    expect(settings.saveStatus).toBe('saving');
    expect(settings.statusText).toBe('Saving…');
    await release(fake);
    const result = await pending;
    expect(result).toEqual({ applied: { imageMaxSide: 512, modelHost: 'https://mirror.example/hf' }, refused: {}, write: 'saved' });
    expect(settings.saveStatus).toBe('saved');
    expect(settings.statusText).toBe('Saved');
    expect(fake.stored).toMatchObject({ imageMaxSide: 512, modelHost: 'https://mirror.example/hf' });
  });

  it('writes in order, and says "saved" only after the last write', async () => {
    const { settings, fake } = await loaded();
    fake.hold = true;
    const first = settings.update({ visionTimeoutSec: 30 });
    const second = settings.update({ visionTimeoutSec: 45 });
    await release(fake);
    await first;
    expect(settings.saveStatus).toBe('saving');
    await release(fake);
    await second;
    expect(fake.writes.map((s) => s.visionTimeoutSec)).toEqual([30, 45]);
    expect(fake.stored.visionTimeoutSec).toBe(45);
    expect(settings.saveStatus).toBe('saved');
  });

  it('stores an empty vision model as "" (pick one automatically), and trims one typed with spaces', async () => {
    const { settings, fake } = await loaded();
    const result = await settings.update({ visionModel: '' });
    expect(result.refused).toEqual({});
    expect(settings.current.visionModel).toBe('');
    expect(fake.stored.visionModel).toBe('');
    await settings.update({ visionModel: '  qwen/qwen2.5-vl  ' });
    expect(fake.stored.visionModel).toBe('qwen/qwen2.5-vl');
  });

  it('writes nothing for a value that is already the current one', async () => {
    const { settings, fake } = await loaded();
    const result = await settings.update({ imageMaxSide: DEFAULT_SETTINGS.imageMaxSide });
    expect(result.write).toBe('none');
    expect(fake.writes).toEqual([]);
    expect(settings.saveStatus).toBe('idle');
  });
});

describe('SettingsState.update with invalid values', () => {
  it('refuses a model host without a scheme: not applied, not saved, not "saved"', async () => {
    const { settings, fake } = await loaded();
    const result = await settings.update({ modelHost: 'example.com' });
    expect(result.write).toBe('none');
    expect(result.applied).toEqual({});
    expect(result.refused.modelHost).toMatch(/https:\/\//u);
    expect(settings.current.modelHost).toBe(DEFAULT_SETTINGS.modelHost);
    expect(fake.writes).toEqual([]);
    expect(settings.saveStatus).not.toBe('saved');
    expect(settings.statusText).not.toMatch(/^Saved/u);
    expect(settings.statusText).toBe('Model host not saved: still https://huggingface.co.');
  });

  it('refuses picture size 99999 and keeps 1024, saying the allowed range', async () => {
    const { settings, fake } = await loaded();
    const result = await settings.update({ imageMaxSide: 99999 });
    expect(settings.current.imageMaxSide).toBe(1024);
    expect(fake.writes).toEqual([]);
    expect(result.refused.imageMaxSide).toBe('Use a whole number from 256 to 2048.');
    expect(settings.refused.imageMaxSide).toBe('Use a whole number from 256 to 2048.');
    expect(settings.saveStatus).toBe('refused');
    expect(settings.statusText).toBe('Picture size not saved: still 1024.');
  });

  it('refuses a timeout out of range and a picture size that is not whole', async () => {
    const { settings, fake } = await loaded();
    for (const value of [4, 301, Number.NaN, 30.5]) {
      const result = await settings.update({ visionTimeoutSec: value });
      expect(result.refused.visionTimeoutSec).toMatch(/5 to 300/u);
    }
    expect((await settings.update({ imageMaxSide: 300.5 })).refused.imageMaxSide).toMatch(/256 to 2048/u);
    expect(settings.current.visionTimeoutSec).toBe(60);
    expect(settings.current.imageMaxSide).toBe(1024);
    expect(fake.writes).toEqual([]);
  });

  it('refuses channel weights that are not a number from 0 to 1 each', async () => {
    const { settings, fake } = await loaded();
    for (const value of [Number.NaN, -0.1, 1.5, Number.POSITIVE_INFINITY]) {
      const result = await settings.update({ weights: { text: value, face: 0.5, vision: 0.5, voice: 0.5 } });
      expect(result.refused.weights).toBe('Use a number from 0 to 1 for each channel.');
    }
    const missing = await settings.update({ weights: { text: 0.5, vision: 0.5 } as unknown as Settings['weights'] });
    expect(missing.refused.weights).toMatch(/0 to 1 for each channel/u);
    expect(settings.statusText).toMatch(/^Channel weights not saved/u);
    expect(settings.current.weights).toEqual({ text: 0.5, face: 0.5, vision: 0.5, voice: 0.5 });
    expect(fake.writes).toEqual([]);
    await settings.update({ weights: { text: 0.6, face: 0.1, vision: 0.3, voice: 0.2 } });
    expect(fake.stored.weights).toEqual({ text: 0.6, face: 0.1, vision: 0.3, voice: 0.2 });
  });

  it('refuses a way to read pictures it does not know, and saves one it does', async () => {
    const { settings, fake } = await loaded();
    const result = await settings.update({ pictureAnalysis: 'faces' });
    expect(result.refused.pictureAnalysis).toBe('Choose On this device, Vision model (cloud) or Both.');
    expect(settings.current.pictureAnalysis).toBe('auto');
    await settings.update({ pictureAnalysis: 'both' });
    expect(fake.stored.pictureAnalysis).toBe('both');
  });

  it('refuses a device, a model source and a base URL it does not know', async () => {
    const { settings } = await loaded();
    const result = await settings.update({ device: 'tpu', modelSource: 'ftp', visionBaseUrl: 'http://api.example.com/v1', modelId: '../etc' });
    expect(Object.keys(result.refused).sort()).toEqual(['device', 'modelId', 'modelSource', 'visionBaseUrl']);
    expect(settings.statusText).toBe('Not saved: Model id, Model source, Device, API base URL.');
    expect(result.refused.device).toMatch(/WebGPU/u);
    expect(settings.current).toEqual(DEFAULT_SETTINGS);
  });

  it('saves the valid part of a mixed change and refuses the rest', async () => {
    const { settings, fake } = await loaded();
    const result = await settings.update({ imageMaxSide: 512, modelHost: 'example.com' });
    expect(result.applied).toEqual({ imageMaxSide: 512 });
    expect(Object.keys(result.refused)).toEqual(['modelHost']);
    expect(result.write).toBe('saved');
    expect(fake.stored.imageMaxSide).toBe(512);
    expect(fake.stored.modelHost).toBe(DEFAULT_SETTINGS.modelHost);
    // The host the user typed is still refused: the status does not say "Saved".
    expect(settings.saveStatus).toBe('refused');
  });

  it('does not keep saying "Saved" from an earlier write once a value is refused, and says it again once fixed', async () => {
    const { settings } = await loaded();
    await settings.update({ imageMaxSide: 512 });
    expect(settings.saveStatus).toBe('saved');
    await settings.update({ imageMaxSide: 99999 });
    expect(settings.saveStatus).toBe('refused');
    expect(settings.current.imageMaxSide).toBe(512);
    await settings.update({ imageMaxSide: 768 });
    expect(settings.refused).toEqual({});
    expect(settings.saveStatus).toBe('saved');
    expect(settings.statusText).toBe('Saved');
  });

  it('forgets refused entries when the view that held them is gone', async () => {
    const { settings } = await loaded();
    await settings.update({ imageMaxSide: 99999 });
    settings.discardRefused();
    expect(settings.refused).toEqual({});
    expect(settings.saveStatus).toBe('idle');
  });
});

describe('SettingsState write failures', () => {
  it('says the settings could not be saved, and keeps them for the session', async () => {
    const { settings, fake } = await loaded();
    fake.fail = true;
    const result = await settings.update({ visionTimeoutSec: 45 });
    expect(result.write).toBe('failed');
    expect(settings.saveStatus).toBe('failed');
    expect(settings.statusText).toBe(FAILED);
    expect(settings.current.visionTimeoutSec).toBe(45);
    fake.fail = false;
    await settings.update({ visionTimeoutSec: 50 });
    expect(settings.saveStatus).toBe('saved');
  });
});

describe('SettingsState is changed only by intent', () => {
  it('has read-only current, loaded and saveStatus', async () => {
    const { settings } = await loaded();
    const writable = settings as unknown as Record<string, unknown>;
    expect(() => (writable.current = { ...DEFAULT_SETTINGS, imageMaxSide: 99999 })).toThrow(TypeError);
    expect(() => (writable.saveStatus = 'saved')).toThrow(TypeError);
    expect(() => (writable.loaded = false)).toThrow(TypeError);
    expect(settings.current.imageMaxSide).toBe(1024);
  });

  it('derives the model config from the current settings', async () => {
    const { settings } = await loaded();
    await settings.update({ modelSource: 'disk', device: 'wasm' });
    expect(settings.modelConfig).toEqual({ source: { host: 'https://disk.moodlens.invalid', modelId: 'local/disk-model' }, device: 'wasm', engine: 'auto' });
    await settings.update({ textEngine: 'onnxruntime' });
    expect(settings.modelConfig.engine).toBe('onnxruntime');
    await settings.update({ textEngine: 'litert' });
    expect(settings.modelConfig.engine).toBe('litert');
    await settings.update({ textEngine: 'tflite' });
    expect(settings.modelConfig.engine).toBe('litert');
  });
});

describe('SettingsState.statusOf: each part of Settings says only what is its own', () => {
  it('keeps refused vision fields out of the Text model part, and says them in the vision part', async () => {
    const { settings } = await loaded();
    await settings.update({ imageMaxSide: 99999, visionTimeoutSec: 301 });
    expect(settings.statusOf('model')).toBe('');
    expect(settings.refusedIn('model')).toBe(false);
    expect(settings.statusOf('vision')).toBe('Not saved: Picture size, Request timeout.');
    expect(settings.refusedIn('vision')).toBe(true);
    // The page's own line still names them all.
    expect(settings.statusText).toBe('Not saved: Picture size, Request timeout.');

    await settings.update({ modelHost: 'example.com' });
    expect(settings.statusOf('model')).toBe('Model host not saved: still https://huggingface.co.');
    expect(settings.statusOf('vision')).toBe('Not saved: Picture size, Request timeout.');
  });

  it('says "Saved" in the part whose field was changed, not in the others', async () => {
    const { settings } = await loaded();
    await settings.update({ visionTimeoutSec: 45 });
    expect(settings.statusOf('vision')).toBe('Saved');
    expect(settings.statusOf('model')).toBe('');
    expect(settings.statusText).toBe('Saved');
    await settings.update({ modelId: 'owner/other' });
    expect(settings.statusOf('model')).toBe('Saved');
    expect(settings.statusOf('vision')).toBe('');
  });
});
