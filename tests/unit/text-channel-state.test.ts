import { describe, expect, it } from 'vitest';
import { JOY_RESULT, loadedTracking } from './fixtures';
import { ModelError } from '../../src/features/text/model-errors';
import { DEFAULT_SETTINGS, type Settings } from '../../src/features/settings/settings';
import type { EmotionClient } from '../../src/features/text/emotion-client';
import type { LoadPlan, ModelConfig } from '../../src/features/text/protocol';
import { SettingsState } from '../../src/features/settings/settings.svelte';
import { TextChannelState } from '../../src/features/text/text-channel.svelte';

const result = JOY_RESULT;

function plan(downloadBytes: number | null, cached = false): LoadPlan {
  return {
    device: 'wasm',
    dtype: 'q8',
    available: ['q8'],
    files: [{ file: 'onnx/model_quantized.onnx', size: downloadBytes, cached }],
    downloadBytes: cached ? 0 : downloadBytes,
  };
}

type Handlers = { onLoaded?: (m: unknown) => void; onAnalyzing?: (done: number, total: number) => void };
type Options = { cachedOnly?: boolean; signal?: AbortSignal };

/** A client whose answers the test sets; records calls; `hold` keeps classify running until aborted. */
function fakeClient(opts: { plan?: LoadPlan; fail?: ModelError; hold?: boolean } = {}) {
  const calls: string[] = [];
  const tracking = loadedTracking();
  const loaded = (config: ModelConfig, handlers: Handlers) => {
    const model = { source: config.source, device: 'wasm' as const, dtype: 'q8' as const, loadMs: 1 };
    tracking.markLoaded(config, model);
    handlers.onLoaded?.(model);
  };
  const client = {
    ...tracking,
    async probe(_config: ModelConfig, _handlers?: unknown, options: Options = {}) {
      calls.push(options.cachedOnly ? 'probe:cached-only' : 'probe');
      return opts.plan ?? plan(1000);
    },
    async classifyMany(config: ModelConfig, texts: string[], handlers: Handlers) {
      calls.push(`classifyMany:${texts.length}`);
      loaded(config, handlers);
      return [];
    },
    async classify(config: ModelConfig, text: string, handlers: Handlers, options: Options = {}) {
      calls.push(`classify:${text}`);
      if (opts.fail) throw opts.fail;
      if (opts.hold) {
        await new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new ModelError('cancelled', 'aborted'))),
        );
      }
      loaded(config, handlers);
      return result;
    },
    /** Reports one step, then runs until aborted (the worker is busy with the occluded copies). */
    async explain(_config: ModelConfig, text: string, handlers: Handlers, options: Options = {}) {
      calls.push(`explain:${text}`);
      handlers.onAnalyzing?.(1, 6);
      await new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(new ModelError('cancelled', 'aborted'))));
      throw new Error('unreachable');
    },
  };
  return { client: client as unknown as EmotionClient, calls };
}

async function setup(opts: Parameters<typeof fakeClient>[0] = {}) {
  let stored: Settings = DEFAULT_SETTINGS;
  const settings = new SettingsState({ load: async () => stored, save: async (s) => void (stored = s) });
  await settings.load();
  const { client, calls } = fakeClient(opts);
  return { channel: new TextChannelState(client, settings), calls };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('TextChannelState', () => {
  it('analyses at once when the download is small, and skips the probe next time', async () => {
    const { channel, calls } = await setup();
    const first = await channel.analyze('hello');
    expect(first).toMatchObject({ status: 'done', result: { scores: result.scores, modelId: 'a/b' } });
    expect(channel.phase).toBe('done');
    await channel.analyze('again');
    expect(calls).toEqual(['probe', 'classify:hello', 'classify:again']);
  });

  it('asks before a large download, and settles only when the user answered', async () => {
    const { channel, calls } = await setup({ plan: plan(90_000_000) });
    const declined = channel.analyze('hello');
    await settle();
    expect(channel.phase).toBe('confirm');
    expect(channel.busy).toBe(true);
    expect(channel.plan?.downloadBytes).toBe(90_000_000);
    channel.declineDownload();
    expect(await declined).toMatchObject({ status: 'cancelled', message: expect.stringContaining('declined') });
    expect(channel.phase).toBe('idle');

    const accepted = channel.analyze('hello');
    await settle();
    channel.confirmDownload();
    expect(await accepted).toMatchObject({ status: 'done' });
    expect(calls).toEqual(['probe', 'probe', 'classify:hello']);
  });

  it('asks when the size is unknown, but not when everything is cached', async () => {
    const unknown = await setup({ plan: plan(null) });
    void unknown.channel.analyze('x');
    await settle();
    expect(unknown.channel.phase).toBe('confirm');
    const cached = await setup({ plan: plan(90_000_000, true) });
    expect(await cached.channel.analyze('x')).toMatchObject({ status: 'done' });
  });

  it('answers a failure as one sentence, with the detail apart', async () => {
    const { channel } = await setup({ fail: new ModelError('offline', 'TypeError: Failed to fetch') });
    const outcome = await channel.analyze('hello');
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/^You are offline/u) });
    expect(channel.phase).toBe('error');
    expect(channel.error).toMatch(/^You are offline/u);
    expect(channel.errorDetail).toBe('TypeError: Failed to fetch');
    channel.reset();
    expect(channel.error).toBeNull();
    expect(channel.phase).toBe('idle');
  });

  it('Cancel stops the analysis: the outcome is cancelled, not an error, and the channel is idle again', async () => {
    const { channel } = await setup({ hold: true });
    const running = channel.analyze('hello');
    await settle();
    expect(channel.busy).toBe(true);
    channel.cancel();
    expect(await running).toMatchObject({ status: 'cancelled' });
    expect(channel.phase).toBe('idle');
    expect(channel.error).toBeNull();
  });

  it('Cancel while the download question is open says cancelled, not declined; No says declined', async () => {
    const { channel, calls } = await setup({ plan: plan(90_000_000) });
    const asked = channel.analyze('hello');
    await settle();
    expect(channel.phase).toBe('confirm');
    channel.cancel();
    expect(await asked).toEqual({ status: 'cancelled', message: 'The text analysis was cancelled.' });
    const again = channel.analyze('hello');
    await settle();
    channel.declineDownload();
    expect(await again).toEqual({ status: 'cancelled', message: 'The model download was declined, so the text was not analyzed.' });
    // After the cancel, only the cache is consulted (preload downloads nothing).
    expect(calls).toEqual(['probe', 'probe:cached-only', 'probe']);
  });

  it('starts a fully cached model in the background, asking the cache only, and then analyses without a probe', async () => {
    const { channel, calls } = await setup({ plan: plan(1000, true) });
    await channel.preload();
    expect(calls).toEqual(['probe:cached-only', 'classifyMany:0']);
    expect(channel.model).toMatchObject({ device: 'wasm', dtype: 'q8' });
    expect(channel.phase).toBe('idle');
    await channel.analyze('hello');
    expect(calls.slice(2)).toEqual(['classify:hello']);
  });

  it('starts nothing in the background when a file would have to be downloaded', async () => {
    const { channel, calls } = await setup({ plan: plan(1000, false) });
    await channel.preload();
    expect(calls).toEqual(['probe:cached-only']);
    expect(channel.model).toBeNull();
  });
});

describe('TextChannelState: Explain', () => {
  it('Cancel explanation stops it with a sentence; the model stays loaded and the next analysis reads at once', async () => {
    const { channel, calls } = await setup();
    expect((await channel.analyze('so happy')).status).toBe('done');
    const pending = channel.explain('so happy today');
    await settle();
    expect(channel.explaining).toEqual({ text: 'so happy today', done: 1, total: 6 });
    channel.cancelExplain();
    await pending;
    expect(channel.explaining).toBeNull();
    expect(channel.explanation).toBeNull();
    expect(channel.explainMessage).toBe('The explanation was cancelled.');
    expect(channel.model).toMatchObject({ device: 'wasm' });
    expect(channel.busy).toBe(false);
    expect((await channel.analyze('so happy')).status).toBe('done');
    // Nothing is started again: the cancel stopped only the explanation.
    expect(calls).toEqual(['probe', 'classify:so happy', 'explain:so happy today', 'classify:so happy']);
  });

  it("reads a text's sentences one by one only with the model loaded, and never starts a load for it", async () => {
    const { channel, calls } = await setup();
    await channel.readSentences('I am glad. I am sad.');
    expect(channel.sentences).toEqual({ text: 'I am glad. I am sad.', pieces: null });
    expect(calls).toEqual([]);
    expect((await channel.analyze('so happy')).status).toBe('done');
    await channel.readSentences('I am glad. I am sad. Fine.');
    expect(calls.at(-1)).toBe('classifyMany:3');
    expect(channel.sentences?.text).toBe('I am glad. I am sad. Fine.');
  });
});
