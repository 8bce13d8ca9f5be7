// RunState driven directly, with the real channel states over a fake model client, a fake face
// reader and a fake vision provider: whatever is shown (the run, its fused answer) and whatever is
// saved come from one run, never from two; who reads a picture follows the setting.
import { loadedTracking } from './fixtures';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/features/text/model-errors';
import { EMOTIONS, normalize, type EmotionScores } from '../../src/shared/emotions';
import { pictureScores } from '../../src/features/faces/faces';
import type { HistoryRecord } from '../../src/features/history/records';
import { missingChannels } from '../../src/features/analysis/run';
import { DEFAULT_SETTINGS, type PictureAnalysis, type Settings } from '../../src/features/settings/settings';
import type { EmotionClient } from '../../src/features/text/emotion-client';
import { FaceError, describeFaceError } from '../../src/features/faces/face-errors';
import type { FaceAnswer } from '../../src/features/faces/protocol';
import type { ModelConfig, TextResult } from '../../src/features/text/protocol';
import { FaceChannelState, NO_FACE_MESSAGE, type FaceReader } from '../../src/features/faces/face-channel.svelte';
import { InputsState } from '../../src/features/analysis/inputs.svelte';
import { RunState } from '../../src/features/analysis/run.svelte';
import { SettingsState } from '../../src/features/settings/settings.svelte';
import { TextChannelState } from '../../src/features/text/text-channel.svelte';
import { VisionChannelState } from '../../src/features/vision/vision-channel.svelte';
import type { PreparedImage } from '../../src/features/vision/image-prep';
import type { VisionDeps } from '../../src/features/vision/vision-client';

const ANGER = normalize({ anger: 0.9, disgust: 0.04, fear: 0.01, joy: 0.01, neutral: 0.02, sadness: 0.01, surprise: 0.01 });
const JOY = normalize({ anger: 0.01, disgust: 0.01, fear: 0.01, joy: 0.9, neutral: 0.05, sadness: 0.01, surprise: 0.01 });
const SAD = normalize({ anger: 0.01, disgust: 0.01, fear: 0.05, joy: 0.01, neutral: 0.1, sadness: 0.8, surprise: 0.02 });

function textResult(scores: EmotionScores): TextResult {
  return { scores, top: 'anger', topScore: 0.9, inferenceMs: 3, device: 'wasm', dtype: 'q8', modelId: 'm/text', chunks: 1, tokens: 9 };
}

/** The model answers anger for texts with "furious", joy otherwise; a text with "hold" runs until aborted. */
function fakeClient() {
  const texts: string[] = [];
  const client = {
    ...loadedTracking(),
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

/** Two sad faces, as the face worker answers them. */
const SAD_FACES: FaceAnswer = {
  faces: [
    { box: { x1: 0.1, y1: 0.1, x2: 0.4, y2: 0.5 }, score: 0.97, scores: SAD },
    { box: { x1: 0.6, y1: 0.2, x2: 0.8, y2: 0.5 }, score: 0.8, scores: SAD },
  ],
  width: 640,
  height: 480,
  elapsedMs: 35,
  model: 'blazeface+emotion',
  timings: { decodeMs: 5, detectMs: 10, expressionsMs: 20 },
};

/**
 * The face worker's client, faked at its boundary: answers `next` (a FaceAnswer, or a FaceError to
 * throw), or with `hold` waits until the read is aborted. Records the pictures it was given.
 */
class FakeFaceReader implements FaceReader {
  next: FaceAnswer | FaceError = SAD_FACES;
  hold = false;
  readonly reads: Blob[] = [];
  readonly signals: AbortSignal[] = [];

  async read(picture: Blob, options: { signal?: AbortSignal } = {}): Promise<FaceAnswer> {
    this.reads.push(picture);
    if (options.signal) this.signals.push(options.signal);
    if (this.hold) {
      await new Promise((_resolve, reject) => {
        const abort = () => reject(new FaceError('cancelled', 'aborted'));
        if (options.signal?.aborted) abort();
        options.signal?.addEventListener('abort', abort);
      });
    }
    if (this.next instanceof FaceError) throw this.next;
    return this.next;
  }

  async warm(): Promise<void> {}
}

function picture(name: string): PreparedImage {
  const blob = new Blob([name], { type: 'image/jpeg' });
  return { dataUrl: 'data:image/jpeg;base64,AAAA', blob, width: 1, height: 1, bytes: 1, sourceFormat: 'jpeg', sourceWidth: 1, sourceHeight: 1, sourceBytes: 1, name, thumbnail: blob };
}

/**
 * The run and its channels. By default an API key is set and `pictureAnalysis` is 'auto', so a
 * picture goes to the vision model only (as before the face channel).
 */
async function setup({ key = 'key' as string | null, pictureAnalysis = 'auto' as PictureAnalysis } = {}) {
  let stored: Settings = { ...DEFAULT_SETTINGS, visionProvider: 'custom', visionBaseUrl: 'https://vision.test/v1', visionModel: 'v/model', pictureAnalysis };
  const settings = new SettingsState({ load: async () => stored, save: async (s) => void (stored = s) });
  await settings.load();
  const { client, texts } = fakeClient();
  const provider = fakeProvider();
  const text = new TextChannelState(client, settings);
  const keys = { load: () => key, save: () => undefined, clear: () => undefined, where: 'memory' };
  const vision = new VisionChannelState(settings, keys, provider.deps);
  const inputs = new InputsState(settings, {}, async (file) => picture((file as File).name));
  const faceReader = new FakeFaceReader();
  const face = new FaceChannelState(faceReader);
  const records: HistoryRecord[] = [];
  let n = 0;
  const run = new RunState(inputs, { text, vision, face }, settings, { onRecord: async (r) => void records.push(r), newId: () => `run-${++n}`, now: () => 1000 + n });
  return { run, inputs, text, vision, face, faceReader, provider, records, texts, settings, stored: () => stored };
}

const file = (name: string) => Object.assign(new Blob(['x']), { name });

describe('RunState', () => {
  it('a picture-only run after a text-only run shows and saves the picture alone, with no trace of the old text', async () => {
    const { inputs, run, records } = await setup();
    inputs.setDraft('I am furious, I hate this so much');
    await run.analyze();
    expect(run.fusion).toMatchObject({ top: 'anger', channels: 'text' });

    inputs.setDraft('');
    await inputs.setImage(file('smile.jpg'));
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
    const { inputs, run, provider, records } = await setup();
    inputs.setDraft('what a lovely day');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    expect(run.fusion?.channels).toBe('both');

    provider.state.status = 401;
    inputs.setDraft('I am furious about this');
    await run.analyze();
    const shown = run.shown!;
    expect(shown.channels.vision).toMatchObject({ status: 'failed', message: expect.stringContaining('did not accept the API key') });
    expect(run.fusion).toMatchObject({ top: 'anger', channels: 'text', consistency: null });
    expect(records[1]).toMatchObject({ textPart: { text: 'I am furious about this' }, visionPart: null, thumbnail: null });
  });

  it('keeps the previous run on screen while a new one works, then replaces it whole', async () => {
    const { inputs, run } = await setup();
    inputs.setDraft('first text');
    await run.analyze();
    const first = run.shown;
    inputs.setDraft('hold on, a second text');
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
    const { inputs, run, records } = await setup();
    inputs.setDraft('hold this text');
    await inputs.setImage(file('smile.jpg'));
    const pending = run.analyze();
    await new Promise((r) => setTimeout(r, 0));
    run.cancel();
    await pending;
    expect(run.shown?.channels.text).toMatchObject({ status: 'cancelled' });
    expect(run.shown?.channels.vision).toMatchObject({ status: 'done' });
    expect(records[0]).toMatchObject({ textPart: null, visionPart: { model: 'v/model' } });
  });

  it('Analyze again with nothing changed reuses the shown run: no model runs, nothing saved twice', async () => {
    const { inputs, run, provider, records, texts } = await setup();
    inputs.setDraft('a calm evening');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    await run.analyze();
    expect(run.reused).toBe(true);
    expect(records).toHaveLength(1);
    expect(texts).toEqual(['a calm evening']);
    expect(provider.state.requests).toBe(1);

    // A new pick of a picture is a new input, even of the same file.
    await inputs.setImage(file('smile.jpg'));
    expect(run.reused).toBe(false);
    await run.analyze();
    expect(records).toHaveLength(2);
  });

  it('a failed run is not reused: pressing Analyze again tries again', async () => {
    const { inputs, run, provider, records } = await setup();
    provider.state.status = 401;
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    expect(run.shown?.channels.vision?.status).toBe('failed');
    expect(records).toHaveLength(0);
    provider.state.status = 200;
    inputs.setDraft('');
    await run.analyze();
    expect(run.shown?.channels.vision?.status).toBe('done');
    expect(records).toHaveLength(1);
  });

  it('the fused answer follows the text weight without running a model', async () => {
    const { inputs, run, texts, provider, settings } = await setup();
    inputs.setDraft('I am furious');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    await run.setWeight('text', 0.9);
    expect(run.fusion?.top).toBe('anger');
    await run.setWeight('text', 0.1);
    expect(run.fusion?.top).toBe('joy');
    // Text weight 0.8 gives 0.8 T + 0.2 V, and is saved as the text's and the picture's weights.
    await run.setWeight('text', 0.8);
    const shown = run.shown!;
    const t = shown.channels.text?.status === 'done' ? shown.channels.text.result.scores : null;
    const v = shown.channels.vision?.status === 'done' ? shown.channels.vision.result.scores : null;
    for (const e of EMOTIONS) expect(run.fusion!.scores[e]).toBeCloseTo(0.8 * t![e] + 0.2 * v![e], 12);
    expect(run.fusion?.weights).toMatchObject({ text: 0.8, vision: expect.closeTo(0.2, 12), face: 0 });
    // The faces were not in this answer: their weight is left as it was.
    expect(settings.current.weights).toEqual({ text: 0.8, face: 0.5, vision: 1 - 0.8, voice: 0.5 });
    expect(texts).toHaveLength(1);
    expect(provider.state.requests).toBe(1);
  });

  it('clears the error of a channel that is not in the next run', async () => {
    const { inputs, run, vision, provider } = await setup();
    provider.state.status = 401;
    inputs.setDraft('hello there');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    expect(vision.error).toContain('did not accept');
    inputs.clearImage();
    inputs.setDraft('hello again');
    await run.analyze();
    expect(vision.error).toBeNull();
    expect(vision.phase).toBe('idle');
  });

  it('clears the error of the face channel when the next run has no picture', async () => {
    const { inputs, run, face, faceReader } = await setup({ pictureAnalysis: 'device' });
    faceReader.next = new FaceError('models-unavailable', 'HTTP 404');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    expect(face.error).toBe(describeFaceError(new FaceError('models-unavailable', 'HTTP 404')));
    inputs.clearImage();
    inputs.setDraft('hello again');
    await run.analyze();
    expect(face.error).toBeNull();
    expect(face.phase).toBe('idle');
    expect(faceReader.reads).toHaveLength(1);
  });
});

describe('RunState: who reads a picture', () => {
  it('without an API key and no choice made, reads the faces on the device only', async () => {
    const { inputs, run, vision, faceReader, provider, records, settings } = await setup({ key: null });
    // A vision provider set up (here a custom one) without a key: the vision model, which asks for the key.
    expect(run.pictureAnalysis).toBe('cloud');
    // No provider set up (the default preset) and no key: the faces on this device.
    await settings.update({ visionProvider: DEFAULT_SETTINGS.visionProvider, visionBaseUrl: DEFAULT_SETTINGS.visionBaseUrl });
    expect(run.pictureAnalysis).toBe('device');
    const picked = file('smile.jpg');
    await inputs.setImage(picked);
    await run.analyze();
    expect(Object.keys(run.shown!.channels)).toEqual(['face']);
    // The face channel reads the file as picked (never sent anywhere), not the prepared JPEG.
    expect(faceReader.reads).toEqual([picked]);
    expect(provider.state.requests).toBe(0);
    expect(run.fusion).toMatchObject({ top: 'sadness', channels: 'face', consistency: null });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      textPart: null,
      visionPart: null,
      facePart: { scores: pictureScores(SAD_FACES.faces), faces: SAD_FACES.faces, model: 'blazeface+emotion', elapsedMs: 35 },
      weights: { face: 1 },
    });
    expect(records[0]!.thumbnail).toBe(inputs.image!.thumbnail);
    // Once a key is entered, 'auto' means the vision model.
    vision.account.setApiKey('gsk_new');
    expect(run.pictureAnalysis).toBe('cloud');
  });

  it('with an API key and no choice made, asks the vision model only', async () => {
    const { inputs, run, face, faceReader, provider, records } = await setup();
    expect(run.pictureAnalysis).toBe('cloud');
    inputs.setDraft('what a lovely day');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    expect(Object.keys(run.shown!.channels)).toEqual(['text', 'vision']);
    expect(faceReader.reads).toEqual([]);
    expect(face.phase).toBe('idle');
    expect(provider.state.requests).toBe(1);
    expect(records[0]).toMatchObject({ facePart: null, visionPart: { model: 'v/model' } });
  });

  it('a choice made in Settings wins over the key', async () => {
    const { run, settings } = await setup({ pictureAnalysis: 'device' });
    expect(run.pictureAnalysis).toBe('device');
    await settings.update({ pictureAnalysis: 'both' });
    expect(run.pictureAnalysis).toBe('both');
    await settings.update({ pictureAnalysis: 'auto' });
    expect(run.pictureAnalysis).toBe('cloud');
  });

  it('"both" reads the faces and asks the vision model, and fuses the three channels with the text', async () => {
    const { inputs, run, faceReader, provider, records } = await setup({ pictureAnalysis: 'both' });
    inputs.setDraft('I am furious');
    await inputs.setImage(file('mixed.jpg'));
    await run.analyze();
    expect(faceReader.reads).toHaveLength(1);
    expect(provider.state.requests).toBe(1);
    const shown = run.shown!;
    expect(Object.keys(shown.channels)).toEqual(['text', 'face', 'vision']);
    expect(run.fusion).toMatchObject({ channels: 'text+face+vision', present: ['text', 'face', 'vision'] });
    for (const c of ['text', 'face', 'vision'] as const) expect(run.fusion!.weights[c]).toBeCloseTo(1 / 3, 12);
    // Anger, sad faces and a smile: the text and the picture are furthest apart.
    expect(run.fusion!.pairs).toHaveLength(3);
    expect(run.fusion!.weakest?.pair).toEqual(['text', 'vision']);
    expect(run.fusion!.explanation).toContain('The text and the picture');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ textPart: { text: 'I am furious' }, facePart: { faces: SAD_FACES.faces }, visionPart: { model: 'v/model' } });
    expect(Object.keys(records[0]!.weights).sort()).toEqual(['face', 'text', 'vision']);
  });

  it('"device" with no face in the picture says so, and a run with text is saved with the text alone', async () => {
    const { inputs, run, face, faceReader, provider, records } = await setup({ pictureAnalysis: 'device' });
    faceReader.next = { ...SAD_FACES, faces: [] };
    inputs.setDraft('I am furious');
    await inputs.setImage(file('landscape.jpg'));
    await run.analyze();
    const shown = run.shown!;
    expect(shown.channels.face).toEqual({ status: 'empty', message: NO_FACE_MESSAGE });
    expect(NO_FACE_MESSAGE).toMatch(/^No face found/u);
    expect(missingChannels(shown)).toEqual([{ channel: 'face', status: 'empty', message: NO_FACE_MESSAGE }]);
    expect(face.error).toBeNull();
    expect(provider.state.requests).toBe(0);
    expect(run.fusion).toMatchObject({ channels: 'text', top: 'anger', explanation: 'Only the text gave a result: it reads as anger (90 %).' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ textPart: { text: 'I am furious' }, facePart: null, visionPart: null, thumbnail: null, weights: { text: 1 } });

    // The picture alone, without a face: shown as such, nothing saved.
    inputs.setDraft('');
    await inputs.setImage(file('landscape.jpg'));
    await run.analyze();
    expect(run.shown?.channels).toEqual({ face: { status: 'empty', message: NO_FACE_MESSAGE } });
    expect(run.fusion).toBeNull();
    expect(run.cancelled).toBe(false);
    expect(records).toHaveLength(1);
  });

  it('a face reading that fails says why, and the text is still answered and saved', async () => {
    const { inputs, run, face, faceReader, records } = await setup({ pictureAnalysis: 'device' });
    const error = new FaceError('unreadable-picture', 'decode failed');
    faceReader.next = error;
    inputs.setDraft('what a lovely day');
    await inputs.setImage(file('broken.jpg'));
    await run.analyze();
    expect(run.shown?.channels.face).toEqual({ status: 'failed', message: describeFaceError(error) });
    expect(face.error).toBe(describeFaceError(error));
    expect(run.fusion?.channels).toBe('text');
    expect(records[0]).toMatchObject({ facePart: null, thumbnail: null });
  });

  it('Cancel stops the face reading; what the text gave stays', async () => {
    const { inputs, run, face, faceReader, records } = await setup({ pictureAnalysis: 'device' });
    faceReader.hold = true;
    inputs.setDraft('a calm evening');
    await inputs.setImage(file('smile.jpg'));
    const pending = run.analyze();
    await new Promise((r) => setTimeout(r, 0));
    expect(run.pending?.channels.face).toEqual({ status: 'running' });
    expect(face.busy).toBe(true);
    run.cancel();
    await pending;
    expect(faceReader.signals[0]?.aborted).toBe(true);
    expect(face.busy).toBe(false);
    expect(run.shown?.channels.face).toMatchObject({ status: 'cancelled' });
    expect(run.shown?.channels.text).toMatchObject({ status: 'done' });
    expect(records[0]).toMatchObject({ textPart: { text: 'a calm evening' }, facePart: null });

    // Faces alone, cancelled: nothing came of it, the page goes back to what it showed.
    const before = run.shown;
    inputs.setDraft('');
    await inputs.setImage(file('smile.jpg'));
    const second = run.analyze();
    await new Promise((r) => setTimeout(r, 0));
    run.cancel();
    await second;
    expect(run.cancelled).toBe(true);
    expect(run.shown).toBe(before);
    expect(records).toHaveLength(1);
  });

  it('a new choice of who reads pictures is a new run, not the shown one again', async () => {
    const { inputs, run, settings, faceReader, provider, records } = await setup({ pictureAnalysis: 'device' });
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    await run.analyze();
    expect(run.reused).toBe(true);
    expect(faceReader.reads).toHaveLength(1);
    await settings.update({ pictureAnalysis: 'both' });
    expect(run.reused).toBe(false);
    await run.analyze();
    expect(faceReader.reads).toHaveLength(2);
    expect(provider.state.requests).toBe(1);
    expect(records).toHaveLength(2);
  });

  it('moves one channel\'s share of a three-channel answer; the others keep their proportions; no model runs', async () => {
    const { inputs, run, settings, faceReader, provider, texts, stored } = await setup({ pictureAnalysis: 'both' });
    inputs.setDraft('I am furious');
    await inputs.setImage(file('mixed.jpg'));
    await run.analyze();
    await run.setWeight('face', 0.5);
    expect(settings.current.weights).toEqual({ text: 0.25, face: 0.5, vision: 0.25, voice: 0.5 });
    expect(stored().weights).toEqual({ text: 0.25, face: 0.5, vision: 0.25, voice: 0.5 });
    expect(run.fusion!.weights).toEqual({ text: 0.25, face: 0.5, vision: 0.25, voice: 0 });
    await run.setWeight('text', 0.2);
    const w = run.fusion!.weights;
    expect(w.text).toBeCloseTo(0.2, 12);
    expect(w.face).toBeCloseTo(0.8 * (2 / 3), 12);
    expect(w.vision).toBeCloseTo(0.8 * (1 / 3), 12);
    const shown = run.shown!;
    const scores = (c: 'text' | 'face' | 'vision') => {
      const o = shown.channels[c];
      return o?.status === 'done' ? o.result.scores : null;
    };
    for (const e of EMOTIONS) expect(run.fusion!.scores[e]).toBeCloseTo(w.text * scores('text')![e] + w.face * scores('face')![e] + w.vision * scores('vision')![e], 12);
    // Weight 1 on the faces: the answer is the faces'.
    await run.setWeight('face', 1);
    expect(run.fusion!.top).toBe('sadness');
    for (const e of EMOTIONS) expect(run.fusion!.scores[e]).toBeCloseTo(scores('face')![e], 12);
    expect(texts).toHaveLength(1);
    expect(faceReader.reads).toHaveLength(1);
    expect(provider.state.requests).toBe(1);
  });
});

describe('RunState: tags and Analyze again', () => {
  it('saves each analysis with the tags typed, and new tags on the same input are a new entry', async () => {
    const { inputs, run, records } = await setup();
    inputs.setTagsDraft(' Campaign A ,  @brand;campaign a, ');
    expect(inputs.tags).toEqual(['Campaign A', '@brand']);
    inputs.setDraft('what a lovely day');
    await run.analyze();
    expect(records[0]?.tags).toEqual(['Campaign A', '@brand']);
    await run.analyze();
    expect(run.reused).toBe(true);
    inputs.setTagsDraft('campaign b');
    expect(run.reused).toBe(false);
    await run.analyze();
    expect(records.map((r) => r.tags)).toEqual([['Campaign A', '@brand'], ['campaign b']]);
  });

  it('reads an entry\'s text again with the current model, keeps its picture results and tags, and saves a second entry', async () => {
    const { inputs, run, vision, records, texts, settings } = await setup();
    inputs.setTagsDraft('week 1');
    inputs.setDraft('I am furious about this');
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    const first = records[0]!;
    expect(first).toMatchObject({ tags: ['week 1'], againOf: null, textPart: { scores: ANGER }, visionPart: { model: 'v/model' } });

    await settings.update({ modelId: 'other/model' });
    inputs.setTagsDraft('');
    await run.analyzeAgain(first);
    expect(texts).toEqual(['I am furious about this', 'I am furious about this']);
    expect(records).toHaveLength(2);
    const again = records[1]!;
    expect(again.id).not.toBe(first.id);
    // The tags are the entry's, not the field's; the picture's results are the entry's as they were.
    expect(again).toMatchObject({ againOf: first.id, tags: ['week 1'], textPart: { text: 'I am furious about this' }, visionPart: first.visionPart, thumbnail: first.thumbnail });
    expect(run.shown?.againOf).toBe(first.id);
    expect(run.shown?.channels.vision).toEqual({ status: 'done', result: first.visionPart });
    expect(vision.phase).toBe('idle');
    // The inputs hold what the shown answer read: the entry's text and tags, and no picture.
    expect(inputs.draft).toBe('I am furious about this');
    expect(inputs.tags).toEqual(['week 1']);
    expect(inputs.image).toBeNull();
    // So Analyze right after reads nothing new: the same run is shown, nothing saved twice.
    await run.analyze();
    expect(run.reused).toBe(true);
    expect(records).toHaveLength(2);
  });

  it('Analyze again cancelled or failed saves nothing and leaves the shown answer', async () => {
    const { inputs, run, records } = await setup();
    inputs.setDraft('hold this text for a moment');
    const pending = run.analyze();
    await new Promise((r) => setTimeout(r, 0));
    run.cancel();
    await pending;
    inputs.setDraft('a calm day');
    await run.analyze();
    const shown = run.shown;
    const entry = { ...records[0]!, textPart: { ...records[0]!.textPart!, text: 'hold on, again' } };
    const again = run.analyzeAgain(entry);
    await new Promise((r) => setTimeout(r, 0));
    expect(run.pending?.againOf).toBe(entry.id);
    run.cancel();
    await again;
    expect(run.cancelled).toBe(true);
    expect(run.shown).toBe(shown);
    expect(records).toHaveLength(1);
    // Nothing was shown, so the inputs stay as they were.
    expect(inputs.draft).toBe('a calm day');
  });

  it('an entry with no text cannot be analyzed again', async () => {
    const { inputs, run, records, texts } = await setup();
    await inputs.setImage(file('smile.jpg'));
    await run.analyze();
    await run.analyzeAgain(records[0]!);
    expect(texts).toEqual([]);
    expect(records).toHaveLength(1);
  });
});
