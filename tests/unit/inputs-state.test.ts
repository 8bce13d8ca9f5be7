// The inputs of the next analysis, owned in one place: the text and the tags kept across a
// reload, and the picture, whose last pick wins however the preparations finish.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/features/settings/settings';
import { VisionError } from '../../src/features/vision/errors';
import { SettingsState } from '../../src/features/settings/settings.svelte';
import { InputsState, type DraftStore } from '../../src/features/analysis/inputs.svelte';
import type { PreparedImage } from '../../src/features/vision/image-prep';

function prepared(name: string): PreparedImage {
  const blob = new Blob([name], { type: 'image/jpeg' });
  return { dataUrl: 'data:image/jpeg;base64,', blob, width: 1, height: 1, bytes: 1, sourceFormat: 'jpeg', sourceWidth: 1, sourceHeight: 1, sourceBytes: 1, name, thumbnail: blob };
}

/** A picture preparation the test finishes by hand, in any order. */
function manualPrepare() {
  const pending = new Map<string, { resolve: (p: PreparedImage) => void; reject: (e: unknown) => void }>();
  const prepare = (file: Blob & { name?: string }) =>
    new Promise<PreparedImage>((resolve, reject) => pending.set(file.name ?? '', { resolve, reject }));
  return { prepare, pending };
}

function inputsWith(prepare: ReturnType<typeof manualPrepare>['prepare'], stores: { text?: DraftStore; tags?: DraftStore } = {}) {
  const settings = new SettingsState({ load: async () => DEFAULT_SETTINGS, save: async () => undefined });
  return new InputsState(settings, stores, prepare);
}

const file = (name: string) => Object.assign(new Blob(['x']), { name });

describe('InputsState: the picture', () => {
  it('keeps the last picked picture when an earlier, slower one finishes later', async () => {
    const { prepare, pending } = manualPrepare();
    const inputs = inputsWith(prepare);
    const first = inputs.setImage(file('big.gif'));
    const second = inputs.setImage(file('small.png'));
    pending.get('small.png')!.resolve(prepared('small.png'));
    await second;
    expect(inputs.image?.name).toBe('small.png');
    pending.get('big.gif')!.resolve(prepared('big.gif'));
    await first;
    expect(inputs.image?.name).toBe('small.png');
    expect(inputs.preparing).toBe(false);
  });

  it('drops a late failure of an earlier pick, and a picture removed while it was prepared', async () => {
    const { prepare, pending } = manualPrepare();
    const inputs = inputsWith(prepare);
    const first = inputs.setImage(file('broken.jpg'));
    const second = inputs.setImage(file('ok.png'));
    pending.get('ok.png')!.resolve(prepared('ok.png'));
    await second;
    pending.get('broken.jpg')!.reject(new VisionError('image-corrupt', 'bad'));
    await first;
    expect(inputs.imageError).toBeNull();
    expect(inputs.image?.name).toBe('ok.png');

    const third = inputs.setImage(file('late.png'));
    inputs.clearImage();
    expect(inputs.preparing).toBe(false);
    pending.get('late.png')!.resolve(prepared('late.png'));
    await third;
    expect(inputs.image).toBeNull();
  });

  it('a picture that cannot be read says why, and there is nothing to analyze', async () => {
    const { prepare, pending } = manualPrepare();
    const inputs = inputsWith(prepare);
    const picking = inputs.setImage(file('note.txt'));
    pending.get('note.txt')!.reject(new VisionError('image-unsupported', 'text'));
    await picking;
    expect(inputs.imageError).toBe('This file is not a picture the app can read. Use a JPEG, PNG, WebP or GIF.');
    expect(inputs.hasInput).toBe(false);
  });
});

describe('InputsState: the text and the tags', () => {
  it('keeps the text and the Tags field in their stores, and reads them back after a reload', () => {
    const saved = new Map<string, string>();
    const store = (key: string): DraftStore => ({ load: () => saved.get(key) ?? '', save: (v) => void saved.set(key, v) });
    const before = inputsWith(manualPrepare().prepare, { text: store('text'), tags: store('tags') });
    before.setDraft('A happy day');
    before.setTagsDraft('campaign a, @account');
    expect(before.tags).toEqual(['campaign a', '@account']);
    expect(before.hasInput).toBe(true);
    const after = inputsWith(manualPrepare().prepare, { text: store('text'), tags: store('tags') });
    expect(after.draft).toBe('A happy day');
    expect(after.tags).toEqual(['campaign a', '@account']);
  });

  it('replaces every input at once: the text, no picture, the tags given', async () => {
    const { prepare, pending } = manualPrepare();
    const inputs = inputsWith(prepare);
    const picking = inputs.setImage(file('a.png'));
    pending.get('a.png')!.resolve(prepared('a.png'));
    await picking;
    inputs.setTagsDraft('old');
    inputs.replaceWith({ text: 'From a batch row', tags: ['x', 'y'] });
    expect(inputs.draft).toBe('From a batch row');
    expect(inputs.image).toBeNull();
    expect(inputs.tags).toEqual(['x', 'y']);
  });
});
