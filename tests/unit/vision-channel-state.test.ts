import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/lib/domain/settings';
import { VisionError } from '../../src/lib/domain/vision-errors';
import { SettingsState } from '../../src/lib/state/settings.svelte';
import { VisionState } from '../../src/lib/state/vision.svelte';
import type { PreparedImage } from '../../src/lib/vision/image-prep';
import { browserVisionDeps } from '../../src/lib/vision/vision-client';

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

function visionState(prepare: ReturnType<typeof manualPrepare>['prepare']) {
  const settings = new SettingsState({ load: async () => DEFAULT_SETTINGS, save: async () => undefined });
  const keys = { load: () => null, save: () => undefined, clear: () => undefined, where: 'nowhere' };
  return new VisionState(settings, keys, browserVisionDeps, prepare);
}

const file = (name: string) => Object.assign(new Blob(['x']), { name });

describe('VisionState.setImage', () => {
  it('keeps the last picked picture when an earlier, slower one finishes later', async () => {
    const { prepare, pending } = manualPrepare();
    const vision = visionState(prepare);
    const first = vision.setImage(file('big.gif'));
    const second = vision.setImage(file('small.png'));
    pending.get('small.png')!.resolve(prepared('small.png'));
    await second;
    expect(vision.image?.name).toBe('small.png');
    pending.get('big.gif')!.resolve(prepared('big.gif'));
    await first;
    expect(vision.image?.name).toBe('small.png');
    expect(vision.preparing).toBe(false);
  });

  it('drops a late failure of an earlier pick, and a picture removed while it was prepared', async () => {
    const { prepare, pending } = manualPrepare();
    const vision = visionState(prepare);
    const first = vision.setImage(file('broken.jpg'));
    const second = vision.setImage(file('ok.png'));
    pending.get('ok.png')!.resolve(prepared('ok.png'));
    await second;
    pending.get('broken.jpg')!.reject(new VisionError('image-corrupt', 'bad'));
    await first;
    expect(vision.imageError).toBeNull();
    expect(vision.image?.name).toBe('ok.png');

    const third = vision.setImage(file('late.png'));
    vision.clearImage();
    expect(vision.preparing).toBe(false);
    pending.get('late.png')!.resolve(prepared('late.png'));
    await third;
    expect(vision.image).toBeNull();
  });
});
