import { describe, expect, it } from 'vitest';
import { JOY_RESULT } from './fixtures';
import { ModelError } from '../../src/lib/domain/errors';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/domain/settings';
import type { EmotionClient } from '../../src/lib/ml/emotion-client';
import type { LoadPlan, ModelConfig } from '../../src/lib/ml/protocol';
import { AnalyzerState, type DraftStore } from '../../src/lib/state/analyzer.svelte';
import { SettingsState } from '../../src/lib/state/settings.svelte';

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

/** A client whose answers the test sets; records calls. */
function fakeClient(opts: { plan?: LoadPlan; fail?: ModelError } = {}) {
  const calls: string[] = [];
  const client = {
    async probe(_config: ModelConfig, _handlers?: unknown, options: { cachedOnly?: boolean } = {}) {
      calls.push(options.cachedOnly ? 'probe:cached-only' : 'probe');
      return opts.plan ?? plan(1000);
    },
    async classifyMany(config: ModelConfig, texts: string[], handlers: { onLoaded?: (m: unknown) => void }) {
      calls.push(`classifyMany:${texts.length}`);
      handlers.onLoaded?.({ source: config.source, device: 'wasm', dtype: 'q8', loadMs: 1 });
      return [];
    },
    async classify(config: ModelConfig, text: string, handlers: { onLoaded?: (m: unknown) => void }) {
      calls.push(`classify:${text}`);
      if (opts.fail) throw opts.fail;
      handlers.onLoaded?.({ source: config.source, device: 'wasm', dtype: 'q8', loadMs: 1 });
      return result;
    },
  };
  return { client: client as unknown as EmotionClient, calls };
}

async function setup(opts: Parameters<typeof fakeClient>[0] = {}, draft?: DraftStore) {
  let stored: Settings = DEFAULT_SETTINGS;
  const settings = new SettingsState({ load: async () => stored, save: async (s) => void (stored = s) });
  await settings.load();
  const { client, calls } = fakeClient(opts);
  return { analyzer: new AnalyzerState(client, settings, draft), calls };
}

describe('AnalyzerState', () => {
  it('does nothing without text', async () => {
    const { analyzer, calls } = await setup();
    analyzer.text = '   ';
    await analyzer.analyze();
    expect(calls).toEqual([]);
    expect(analyzer.canAnalyze).toBe(false);
  });

  it('analyses at once when the download is small, and skips the probe next time', async () => {
    const { analyzer, calls } = await setup();
    analyzer.text = 'hello';
    await analyzer.analyze();
    expect(analyzer.phase).toBe('done');
    expect(analyzer.result?.top).toBe('joy');
    analyzer.text = 'again';
    await analyzer.analyze();
    expect(calls).toEqual(['probe', 'classify:hello', 'classify:again']);
  });

  it('asks before a large download and downloads only after confirmation', async () => {
    const { analyzer, calls } = await setup({ plan: plan(90_000_000) });
    analyzer.text = 'hello';
    await analyzer.analyze();
    expect(analyzer.phase).toBe('confirm');
    expect(analyzer.plan?.downloadBytes).toBe(90_000_000);
    analyzer.cancelDownload();
    expect(analyzer.phase).toBe('idle');
    await analyzer.analyze();
    await analyzer.confirmDownload();
    expect(analyzer.phase).toBe('done');
    expect(calls).toEqual(['probe', 'probe', 'classify:hello']);
  });

  it('asks when the size is unknown, but not when everything is cached', async () => {
    const unknown = await setup({ plan: plan(null) });
    unknown.analyzer.text = 'x';
    await unknown.analyzer.analyze();
    expect(unknown.analyzer.phase).toBe('confirm');
    const cached = await setup({ plan: plan(90_000_000, true) });
    cached.analyzer.text = 'x';
    await cached.analyzer.analyze();
    expect(cached.analyzer.phase).toBe('done');
  });

  it('shows a failure as one sentence with the detail apart', async () => {
    const { analyzer } = await setup({ fail: new ModelError('offline', 'TypeError: Failed to fetch') });
    analyzer.text = 'hello';
    await analyzer.analyze();
    expect(analyzer.phase).toBe('error');
    expect(analyzer.error).toMatch(/^You are offline/u);
    expect(analyzer.errorDetail).toBe('TypeError: Failed to fetch');
  });

  it('keeps the draft text in its store', async () => {
    const saved: string[] = [];
    const { analyzer } = await setup({}, { load: () => 'from before', save: (t) => saved.push(t) });
    expect(analyzer.text).toBe('from before');
    analyzer.text = 'new';
    expect(saved).toEqual(['new']);
  });

  it('starts a fully cached model in the background, asking the cache only, and then analyses without a probe', async () => {
    const { analyzer, calls } = await setup({ plan: plan(1000, true) });
    await analyzer.preload();
    expect(calls).toEqual(['probe:cached-only', 'classifyMany:0']);
    expect(analyzer.model).toMatchObject({ device: 'wasm', dtype: 'q8' });
    expect(analyzer.phase).toBe('idle');
    analyzer.text = 'hello';
    await analyzer.analyze();
    expect(calls.slice(2)).toEqual(['classify:hello']);
  });

  it('starts nothing in the background when a file would have to be downloaded', async () => {
    const { analyzer, calls } = await setup({ plan: plan(1000, false) });
    await analyzer.preload();
    expect(calls).toEqual(['probe:cached-only']);
    expect(analyzer.model).toBeNull();
  });
});
