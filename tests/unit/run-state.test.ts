// RunState driven directly, with the real channel states over a fake model client and a fake
// vision provider: whatever is shown (the run, its fused answer) and whatever is saved come from
// one run, never from two.
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/lib/domain/errors';
import { normalize, type EmotionScores } from '../../src/lib/domain/emotions';
import type { HistoryRecord } from '../../src/lib/domain/history';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/domain/settings';
import type { EmotionClient } from '../../src/lib/ml/emotion-client';
import type { ModelConfig, TextResult } from '../../src/lib/ml/protocol';
import { RunState } from '../../src/lib/state/run.svelte';
import { SettingsState } from '../../src/lib/state/settings.svelte';
import { TextChannelState } from '../../src/lib/state/text-channel.svelte';
import { VisionChannelState } from '../../src/lib/state/vision-channel.svelte';
import type { PreparedImage } from '../../src/lib/vision/image-prep';
import type { VisionDeps } from '../../src/lib/vision/vision-client';

const ANGER = normalize({ anger: 0.9, disgust: 0.04, fear: 0.01, joy: 0.01, neutral: 0.02, sadness: 0.01, surprise: 0.01 });
const JOY = normalize({ anger: 0.01, disgust: 0.01, fear: 0.01, joy: 0.9, neutral: 0.05, sadness: 0.01, surprise: 0.01 });

function textResult(scores: EmotionScores): TextResult {
  return { scores, top: 'anger', topScore: 0.9, inferenceMs: 3, device: 'wasm', dtype: 'q8', modelId: 'm/text', chunks: 1, tokens: 9 };
}

/** The model answers anger for texts with "furious", joy otherwise; a text with "hold" runs until aborted. */
function fakeClient() {
  const texts: string[] = [];
  const client = {
    probe: async () => ({ device: 'wasm', dtype: 'q8', available: ['q8'], files: [], downloadBytes: 0 }),
    classifyMany: async () => [],
    async classify(_config: ModelConfig, text: string, _handlers: unknown, options: { signal?: AbortSignal } = {}) {
      texts.push(text);
      if (text.includes('hold')) {
        await new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new ModelError('cancelled', 'aborted'))),
        );
      }
      return textResult(text.includes('furious') ? ANGER : JOY);
    },
  };
  return { client: client as unknown as EmotionClient, texts };
}

/** A provider that answers joy, or the status the test sets. */
function fakeProvider() {
  const state = { status: 200, requests: 0 };
  const deps: VisionDeps = {
    fetch: (async () => {
      state.requests += 1;
      if (state.status !== 200) {
        return new Response(JSON.stringify({ error: { message: 'Invalid API Key', code: 'invalid_api_key' } }), { status: state.status });
      }
      const content = JSON.stringify({ description: 'A smiling face.', scores: { joy: 0.9, neutral: 0.1 } });
      return new Response(JSON.stringify({ model: 'v/model', choices: [{ message: { content }, finish_reason: 'stop' }] }), { status: 200 });
    }) as typeof fetch,
    sleep: async () => undefined,
    now: () => 0,
    random: () => 0,
  };
  return { deps, state };
}

function picture(name: string): PreparedImage {
  const blob = new Blob([name], { type: 'image/jpeg' });
  return { dataUrl: 'data:image/jpeg;base64,AAAA', blob, width: 1, height: 1, bytes: 1, sourceFormat: 'jpeg', sourceWidth: 1, sourceHeight: 1, sourceBytes: 1, name, thumbnail: blob };
}

async function setup() {
  let stored: Settings = { ...DEFAULT_SETTINGS, visionProvider: 'custom', visionBaseUrl: 'https://vision.test/v1', visionModel: 'v/model' };
  const settings = new SettingsState({ load: async () => stored, save: async (s) => void (stored = s) });
  await settings.load();
  const { client, texts } = fakeClient();
  const provider = fakeProvider();
  const text = new TextChannelState(client, settings);
  const keys = { load: () => 'key', save: () => undefined, clear: () => undefined, where: 'memory' };
  const vision = new VisionChannelState(settings, keys, provider.deps, async (file) => picture((file as File).name));
  const records: HistoryRecord[] = [];
  let n = 0;
  const run = new RunState(text, vision, settings, { onRecord: async (r) => void records.push(r), newId: () => `run-${++n}`, now: () => 1000 + n });
  return { run, text, vision, provider, records, texts, settings };
}

const file = (name: string) => Object.assign(new Blob(['x']), { name });

describe('RunState', () => {
  it('a picture-only run after a text-only run shows and saves the picture alone, with no trace of the old text', async () => {
    const { run, text, vision, records } = await setup();
    text.setDraft('I am furious, I hate this so much');
    await run.analyze();
    expect(run.fusion).toMatchObject({ top: 'anger', channels: 'text' });

    text.setDraft('');
    await vision.setImage(file('smile.jpg'));
    await run.analyze();
    const shown = run.shown!;
    expect(Object.keys(shown.channels)).toEqual(['vision']);
    expect(shown.inputs.text).toBeNull();
    // Before runs existed, Overall fused the old angry text with the new picture: "disagreement".
    expect(run.fusion).toMatchObject({ top: 'joy', channels: 'vision', consistency: null });
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ id: shown.id, textPart: null, visionPart: { model: 'v/model', provider: 'vision.test' } });
  });

  it('a picture request that fails leaves no earlier picture result in the new answer', async () => {
    const { run, text, vision, provider, records } = await setup();
    text.setDraft('what a lovely day');
    await vision.setImage(file('smile.jpg'));
    await run.analyze();
    expect(run.fusion?.channels).toBe('both');

    provider.state.status = 401;
    text.setDraft('I am furious about this');
    await run.analyze();
    const shown = run.shown!;
    expect(shown.channels.vision).toMatchObject({ status: 'failed', message: expect.stringContaining('did not accept the API key') });
    expect(run.fusion).toMatchObject({ top: 'anger', channels: 'text', consistency: null });
    expect(records[1]).toMatchObject({ textPart: { text: 'I am furious about this' }, visionPart: null, thumbnail: null });
  });

  it('keeps the previous run on screen while a new one works, then replaces it whole', async () => {
    const { run, text } = await setup();
    text.setDraft('first text');
    await run.analyze();
    const first = run.shown;
    text.setDraft('hold on, a second text');
    const second = run.analyze();
    await new Promise((r) => setTimeout(r, 0));
    expect(run.pending?.channels.text).toEqual({ status: 'running' });
    expect(run.shown).toBe(first);
    expect(run.busy).toBe(true);
    run.cancel();
    await second;
    // Everything was cancelled: back to where it was, nothing saved.
    expect(run.shown).toBe(first);
    expect(run.pending).toBeNull();
    expect(run.cancelled).toBe(true);
  });

  it('Cancel of one channel keeps what the other gave, and says which one is missing', async () => {
    const { run, text, vision, records } = await setup();
    text.setDraft('hold this text');
    await vision.setImage(file('smile.jpg'));
    const pending = run.analyze();
    await new Promise((r) => setTimeout(r, 0));
    run.cancel();
    await pending;
    expect(run.shown?.channels.text).toMatchObject({ status: 'cancelled' });
    expect(run.shown?.channels.vision).toMatchObject({ status: 'done' });
    expect(records[0]).toMatchObject({ textPart: null, visionPart: { model: 'v/model' } });
  });

  it('Analyze again with nothing changed reuses the shown run: no model runs, nothing saved twice', async () => {
    const { run, text, vision, provider, records, texts } = await setup();
    text.setDraft('a calm evening');
    await vision.setImage(file('smile.jpg'));
    await run.analyze();
    await run.analyze();
    expect(run.reused).toBe(true);
    expect(records).toHaveLength(1);
    expect(texts).toEqual(['a calm evening']);
    expect(provider.state.requests).toBe(1);

    // A new pick of a picture is a new input, even of the same file.
    await vision.setImage(file('smile.jpg'));
    expect(run.reused).toBe(false);
    await run.analyze();
    expect(records).toHaveLength(2);
  });

  it('a failed run is not reused: pressing Analyze again tries again', async () => {
    const { run, text, vision, provider, records } = await setup();
    provider.state.status = 401;
    await vision.setImage(file('smile.jpg'));
    await run.analyze();
    expect(run.shown?.channels.vision?.status).toBe('failed');
    expect(records).toHaveLength(0);
    provider.state.status = 200;
    text.setDraft('');
    await run.analyze();
    expect(run.shown?.channels.vision?.status).toBe('done');
    expect(records).toHaveLength(1);
  });

  it('the fused answer follows the text weight without running a model', async () => {
    const { run, text, vision, texts, provider } = await setup();
    text.setDraft('I am furious');
    await vision.setImage(file('smile.jpg'));
    await run.analyze();
    await run.setTextWeight(0.9);
    expect(run.fusion?.top).toBe('anger');
    await run.setTextWeight(0.1);
    expect(run.fusion?.top).toBe('joy');
    expect(texts).toHaveLength(1);
    expect(provider.state.requests).toBe(1);
  });

  it('clears the error of a channel that is not in the next run', async () => {
    const { run, text, vision, provider } = await setup();
    provider.state.status = 401;
    text.setDraft('hello there');
    await vision.setImage(file('smile.jpg'));
    await run.analyze();
    expect(vision.error).toContain('did not accept');
    vision.clearImage();
    text.setDraft('hello again');
    await run.analyze();
    expect(vision.error).toBeNull();
    expect(vision.phase).toBe('idle');
  });
});
