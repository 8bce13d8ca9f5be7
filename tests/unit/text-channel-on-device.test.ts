// TextChannelState.modelOnDevice: the page stops talking about a download (the "about 80 MB"
// sentence) once the configured model is known to be on this device, and starts again when its
// files are removed or another model is chosen.
import { describe, expect, it } from 'vitest';
import { JOY_RESULT, loadedTracking } from './fixtures';
import { DEFAULT_SETTINGS, type Settings } from '../../src/features/settings/settings';
import { SettingsState } from '../../src/features/settings/settings.svelte';
import type { EmotionClient } from '../../src/features/text/emotion-client';
import type { LoadPlan, ModelConfig } from '../../src/features/text/protocol';
import { TextChannelState } from '../../src/features/text/text-channel.svelte';

const plan = (cached: boolean): LoadPlan => ({
  device: 'wasm',
  dtype: 'q8',
  available: ['q8'],
  files: [{ file: 'onnx/model_quantized.onnx', size: 1000, cached }],
  downloadBytes: cached ? 0 : 1000,
});

async function setup(cached: boolean) {
  let stored: Settings = DEFAULT_SETTINGS;
  const settings = new SettingsState({ load: async () => stored, save: async (s) => void (stored = s) });
  await settings.load();
  const tracking = loadedTracking();
  const loaded = (config: ModelConfig, handlers: { onLoaded?: (m: unknown) => void }) => {
    const model = { source: config.source, device: 'wasm' as const, dtype: 'q8' as const, loadMs: 1 };
    tracking.markLoaded(config, model);
    handlers.onLoaded?.(model);
  };
  const client = {
    ...tracking,
    probe: async () => plan(cached),
    async classifyMany(config: ModelConfig, _texts: string[], handlers: { onLoaded?: (m: unknown) => void }) {
      loaded(config, handlers);
      return [];
    },
    async classify(config: ModelConfig, _text: string, handlers: { onLoaded?: (m: unknown) => void }) {
      loaded(config, handlers);
      return JOY_RESULT;
    },
  };
  return { settings, channel: new TextChannelState(client as unknown as EmotionClient, settings) };
}

describe('TextChannelState.modelOnDevice', () => {
  it('is false until the model is found on this device, then true until its files are removed', async () => {
    const { channel } = await setup(true);
    expect(channel.modelOnDevice).toBe(false);
    await channel.preload();
    expect(channel.modelOnDevice).toBe(true);
    channel.forgetModels();
    expect(channel.modelOnDevice).toBe(false);
  });

  it('becomes true once a downloaded model has loaded, and is false for another model', async () => {
    const { channel, settings } = await setup(false);
    await channel.preload();
    expect(channel.modelOnDevice).toBe(false);
    expect((await channel.analyze('What a happy day')).status).toBe('done');
    expect(channel.modelOnDevice).toBe(true);
    await settings.update({ modelId: 'owner/another-model' });
    expect(channel.modelOnDevice).toBe(false);
  });
});
