import { describe, expect, it } from 'vitest';
import { checkModelHost, checkModelId, chooseDtype, modelFileUrl } from '../../src/features/text/model-source';
import { DEFAULT_SETTINGS, checkApiBaseUrl, parseSettings, sourceOf } from '../../src/features/settings/settings';

describe('model source', () => {
  it('builds hub-layout URLs', () => {
    expect(modelFileUrl({ host: 'https://mirror.example/hf', modelId: 'a/b' }, 'onnx/model.onnx')).toBe(
      'https://mirror.example/hf/a/b/resolve/main/onnx/model.onnx',
    );
  });

  it('accepts http(s) hosts and trims trailing slashes', () => {
    expect(checkModelHost(' https://huggingface.co/ ')).toEqual({ ok: true, value: 'https://huggingface.co' });
    expect(checkModelHost('http://127.0.0.1:4180')).toEqual({ ok: true, value: 'http://127.0.0.1:4180' });
    expect(checkModelHost('http://localhost:8080/mirror')).toEqual({ ok: true, value: 'http://localhost:8080/mirror' });
    // Plain http to any other host is refused, as the README says (and the page's CSP blocks it).
    expect(checkModelHost('http://example.com')).toMatchObject({ ok: false, error: expect.stringContaining('http:// only for a mirror on this computer') });
    expect(checkModelHost('http://[::1]:8088')).toMatchObject({ ok: false });
    expect(checkModelHost('http://192.168.1.20:8000')).toMatchObject({ ok: false });
  });

  it('refuses other schemes, queries and credentials', () => {
    for (const bad of ['ftp://x.org', 'javascript:alert(1)', 'huggingface.co', 'https://x.org/?a=1', 'https://u:p@x.org']) {
      expect(checkModelHost(bad).ok).toBe(false);
    }
  });

  it('answers an address without a scheme with the schemes allowed and an example', () => {
    const rule = 'The model host must start with https:// (http:// only for a mirror on this computer, at localhost or 127.0.0.1). For example https://huggingface.co.';
    for (const bad of ['example.com', 'huggingface.co/', 'localhost:4180', 'ftp://x.org', '']) {
      expect(checkModelHost(bad)).toEqual({ ok: false, error: rule });
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

  it('migrates a version 1 record: its fields are kept, the vision fields take their defaults', () => {
    const v1 = { schemaVersion: 1, modelHost: 'http://127.0.0.1:4180/', modelId: 'a/b', modelSource: 'remote', device: 'wasm' };
    expect(parseSettings(v1)).toEqual({
      ...DEFAULT_SETTINGS,
      schemaVersion: 4,
      modelHost: 'http://127.0.0.1:4180',
      modelId: 'a/b',
      device: 'wasm',
    });
  });

  it('keeps valid vision fields and drops invalid ones', () => {
    const s = parseSettings({ visionBaseUrl: 'http://127.0.0.1:4300/openai/v1', visionModel: ' m ', imageMaxSide: 512, visionTimeoutSec: 9999 });
    expect(s).toMatchObject({ visionBaseUrl: 'http://127.0.0.1:4300/openai/v1', visionModel: 'm', imageMaxSide: 512, visionTimeoutSec: 60 });
    expect(parseSettings({ visionBaseUrl: 'http://evil.example/v1' }).visionBaseUrl).toBe(DEFAULT_SETTINGS.visionBaseUrl);
  });

  it('accepts https base URLs, and http only for this computer', () => {
    expect(checkApiBaseUrl('https://api.groq.com/openai/v1/')).toEqual({ ok: true, value: 'https://api.groq.com/openai/v1' });
    expect(checkApiBaseUrl('http://localhost:11434/v1').ok).toBe(true);
    expect(checkApiBaseUrl('http://127.0.0.1:8080/v1').ok).toBe(true);
    for (const bad of ['http://api.example.com/v1', 'ftp://x', 'https://x.org/v1?key=1', 'https://u:p@x.org', 'nope']) {
      expect(checkApiBaseUrl(bad).ok).toBe(false);
    }
  });

  it('selects the disk source when asked', () => {
    expect(sourceOf({ ...DEFAULT_SETTINGS, modelSource: 'disk' }).host).toBe('https://disk.moodlens.invalid');
    expect(sourceOf(DEFAULT_SETTINGS)).toEqual({ host: DEFAULT_SETTINGS.modelHost, modelId: DEFAULT_SETTINGS.modelId });
  });
});
