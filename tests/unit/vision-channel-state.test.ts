import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/features/settings/settings';
import { SettingsState } from '../../src/features/settings/settings.svelte';
import { VisionChannelState } from '../../src/features/vision/vision-channel.svelte';
import type { PreparedImage } from '../../src/features/vision/image-prep';
import { browserVisionDeps, type VisionDeps } from '../../src/features/vision/vision-client';

function prepared(name: string): PreparedImage {
  const blob = new Blob([name], { type: 'image/jpeg' });
  return { dataUrl: 'data:image/jpeg;base64,', blob, width: 1, height: 1, bytes: 1, sourceFormat: 'jpeg', sourceWidth: 1, sourceHeight: 1, sourceBytes: 1, name, thumbnail: blob };
}

describe('VisionChannelState.loadModels', () => {
  /** A provider whose model list answers `status`; counts requests and records the auth header. */
  async function withProvider(provider: string, status: number) {
    const seen: Array<string | null> = [];
    const deps: VisionDeps = {
      ...browserVisionDeps,
      fetch: (async (_url: string, init: RequestInit) => {
        seen.push(new Headers(init.headers).get('authorization'));
        return status === 200
          ? new Response(JSON.stringify({ data: [{ id: 'vision-model', owned_by: 'x' }] }), { status })
          : new Response(JSON.stringify({ error: { message: 'Invalid API Key' } }), { status });
      }) as typeof fetch,
    };
    const settings = new SettingsState({ load: async () => ({ ...DEFAULT_SETTINGS, visionProvider: provider, visionBaseUrl: 'http://localhost:11434/v1' }), save: async () => undefined });
    await settings.load();
    const keys = { load: () => null, save: () => undefined, clear: () => undefined, where: 'nowhere' };
    return { vision: new VisionChannelState(settings, keys, deps), seen };
  }

  it('without a key, says that no key was entered and sends nothing (not "did not accept the API key")', async () => {
    const { vision, seen } = await withProvider('groq', 401);
    await vision.account.loadModels();
    expect(vision.account.modelsStatus).toBe('failed');
    expect(vision.account.modelsError).toMatch(/^No API key was entered/u);
    expect(vision.account.modelsError).not.toContain('did not accept');
    expect(seen).toEqual([]);
    // Once a key is typed, the message about no key is gone (the list is simply not loaded yet).
    vision.account.setApiKey('gsk_typed');
    expect(vision.account.modelsError).toBeNull();
    expect(vision.account.modelsStatus).toBe('idle');
  });

  it('a server on this computer is asked without a key, and a list it gives needs no message', async () => {
    const { vision, seen } = await withProvider('ollama', 200);
    await vision.account.loadModels();
    expect(seen).toEqual([null]);
    expect(vision.account.modelsStatus).toBe('loaded');
    expect(vision.account.modelsError).toBeNull();
    expect(vision.account.models.map((m) => m.id)).toEqual(['vision-model']);
  });

  it('a server on this computer that asks for a key is told none was entered', async () => {
    const { vision } = await withProvider('ollama', 401);
    await vision.account.loadModels();
    expect(vision.account.modelsError).toMatch(/^No API key was entered, and localhost:11434 asks for one/u);
  });

  it('with a key that the provider refuses, says so', async () => {
    const { vision } = await withProvider('groq', 401);
    vision.account.setApiKey('gsk_wrong');
    await vision.account.loadModels();
    expect(vision.account.modelsError).toContain('did not accept the API key');
  });
});

describe('VisionChannelState.analyze', () => {
  /** A provider whose list is `models` and whose chat answers joy; records the models asked for. */
  async function withList(models: unknown[]) {
    const asked: string[] = [];
    const deps: VisionDeps = {
      ...browserVisionDeps,
      fetch: (async (url: string, init: RequestInit) => {
        if (url.endsWith('/models')) return new Response(JSON.stringify({ data: models }));
        asked.push((JSON.parse(String(init.body)) as { model: string }).model);
        const content = JSON.stringify({ description: 'Smiling.', scores: { joy: 0.9, neutral: 0.1 } });
        return new Response(JSON.stringify({ model: asked.at(-1), choices: [{ message: { content }, finish_reason: 'stop' }] }));
      }) as typeof fetch,
    };
    const settings = new SettingsState({ load: async () => ({ ...DEFAULT_SETTINGS, visionModel: '' }), save: async () => undefined });
    await settings.load();
    const keys = { load: () => 'gsk_key', save: () => undefined, clear: () => undefined, where: 'nowhere' };
    return { vision: new VisionChannelState(settings, keys, deps), asked };
  }

  it('with an empty Vision model, picks a model of the list that takes pictures (not the first listed)', async () => {
    const { vision, asked } = await withList([
      { id: 'text-only', input_modalities: ['text'] },
      { id: 'ears', input_modalities: ['audio'] },
      { id: 'eyes', input_modalities: ['text', 'image'] },
    ]);
    const outcome = await vision.analyze(prepared('a.jpg'));
    expect(outcome).toMatchObject({ status: 'done', result: { model: 'eyes' } });
    expect(asked).toEqual(['eyes']);
    expect(vision.picked).toBe(true);
  });

  it('with an empty Vision model and no model that takes pictures, says so and sends no picture', async () => {
    const { vision, asked } = await withList([{ id: 'text-only', input_modalities: ['text'] }]);
    const outcome = await vision.analyze(prepared('a.jpg'));
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringContaining('lists no model that takes pictures') });
    expect(asked).toEqual([]);
  });
});
