import { describe, expect, it } from 'vitest';
import { checkModelHost, checkModelId, chooseDtype, modelFileUrl } from '../../src/lib/domain/model-source';
import { DEFAULT_SETTINGS, parseSettings, sourceOf } from '../../src/lib/domain/settings';

describe('model source', () => {
  it('builds hub-layout URLs', () => {
    expect(modelFileUrl({ host: 'https://mirror.example/hf', modelId: 'a/b' }, 'onnx/model.onnx')).toBe(
      'https://mirror.example/hf/a/b/resolve/main/onnx/model.onnx',
    );
  });

  it('accepts http(s) hosts and trims trailing slashes', () => {
    expect(checkModelHost(' https://huggingface.co/ ')).toEqual({ ok: true, value: 'https://huggingface.co' });
    expect(checkModelHost('http://127.0.0.1:4180')).toEqual({ ok: true, value: 'http://127.0.0.1:4180' });
  });

  it('refuses other schemes, queries and credentials', () => {
    for (const bad of ['ftp://x.org', 'javascript:alert(1)', 'huggingface.co', 'https://x.org/?a=1', 'https://u:p@x.org']) {
      expect(checkModelHost(bad).ok).toBe(false);
    }
  });

  it('checks model ids as owner/name', () => {
    expect(checkModelId('j-hartmann/emotion-english-distilroberta-base').ok).toBe(true);
    for (const bad of ['noslash', 'a/b/c', '../etc', 'a/..', 'a--b/c', '']) expect(checkModelId(bad).ok).toBe(false);
  });

  it('chooses the dtype the source has, by device', () => {
    expect(chooseDtype('wasm', ['fp32', 'q8'], false)).toBe('q8');
    expect(chooseDtype('wasm', ['fp32'], false)).toBe('fp32');
    expect(chooseDtype('webgpu', ['fp32', 'q8', 'fp16'], true)).toBe('fp16');
    expect(chooseDtype('webgpu', ['fp32', 'q8', 'fp16'], false)).toBe('fp32');
    expect(chooseDtype('webgpu', ['fp16'], false)).toBeNull();
    expect(chooseDtype('wasm', [], false)).toBeNull();
  });
});

describe('settings', () => {
  it('reads anything stored into valid settings', () => {
    expect(parseSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('garbage')).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ modelHost: 'ftp://x', modelId: 'bad', device: 'tpu', modelSource: 'x' })).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps valid fields of an older or partial record', () => {
    const s = parseSettings({ modelHost: 'http://127.0.0.1:4180/', device: 'wasm' });
    expect(s).toMatchObject({ schemaVersion: 1, modelHost: 'http://127.0.0.1:4180', device: 'wasm', modelId: DEFAULT_SETTINGS.modelId });
  });

  it('selects the disk source when asked', () => {
    expect(sourceOf({ ...DEFAULT_SETTINGS, modelSource: 'disk' }).host).toBe('https://disk.moodlens.invalid');
    expect(sourceOf(DEFAULT_SETTINGS)).toEqual({ host: DEFAULT_SETTINGS.modelHost, modelId: DEFAULT_SETTINGS.modelId });
  });
});
