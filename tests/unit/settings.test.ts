// The pure checks behind Settings: each field says what is allowed when it refuses a value, a
// change splits into what may apply and what is refused, and stored records go through the same checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EQUAL_WEIGHTS } from '../../src/shared/channels';
import { checkModelHost } from '../../src/features/text/model-source';
import {
  DEFAULT_SETTINGS,
  IMAGE_SIDE_RANGE,
  SETTINGS_VERSION,
  SETTING_KEYS,
  TIMEOUT_RANGE,
  checkSetting,
  checkSettingsPatch,
  fieldText,
  numberFromText,
  parseSettings,
  wholeNumberRule,
  type SettingsPatch,
} from '../../src/features/settings/settings';

const sideFromText = (text: string) => checkSetting('imageMaxSide', numberFromText(text));

describe('checkSetting', () => {
  it('refuses a model host without a scheme, and says what is allowed', () => {
    const checked = checkSetting('modelHost', 'example.com');
    expect(checked).toEqual({
      ok: false,
      error: 'The model host must start with https:// (http:// only for a mirror on this computer, at localhost or 127.0.0.1). For example https://huggingface.co.',
    });
    expect(checkSetting('modelHost', 'ftp://example.com')).toEqual(checked);
    expect(checkSetting('modelHost', 'https://example.com/')).toEqual({ ok: true, value: 'https://example.com' });
  });

  it('says which base URLs are allowed', () => {
    for (const bad of ['api.example.com/v1', 'http://api.example.com/v1', '']) {
      const checked = checkSetting('visionBaseUrl', bad);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.error).toMatch(/^Use https:\/\/ \(http:\/\/ only for a server on this computer.*For example https:\/\/api\.groq\.com\/openai\/v1\.$/u);
    }
    expect(checkSetting('visionBaseUrl', 'https://x.org/v1?key=1')).toEqual({ ok: false, error: 'The base URL cannot contain a query, a fragment or credentials.' });
  });

  it('allows picture sizes and timeouts only as whole numbers in range', () => {
    expect(wholeNumberRule(IMAGE_SIDE_RANGE)).toBe('Use a whole number from 256 to 2048.');
    expect(checkSetting('imageMaxSide', 99999)).toEqual({ ok: false, error: 'Use a whole number from 256 to 2048.' });
    for (const ok of [256, 1024, 2048]) expect(checkSetting('imageMaxSide', ok)).toEqual({ ok: true, value: ok });
    for (const bad of [255, 2049, 512.5, Number.NaN, '512']) expect(checkSetting('imageMaxSide', bad).ok).toBe(false);
    expect(checkSetting('visionTimeoutSec', 301)).toEqual({ ok: false, error: 'Use a whole number of seconds from 5 to 300.' });
    expect(checkSetting('visionTimeoutSec', TIMEOUT_RANGE.min)).toEqual({ ok: true, value: 5 });
  });

  it('allows a weight from 0 to 1 for each channel, and only known devices and model sources', () => {
    // The voice (added since the weights were first stored) takes its default when missing.
    expect(checkSetting('weights', { text: 0, face: 1, vision: 0.5 })).toEqual({ ok: true, value: { text: 0, face: 1, vision: 0.5, voice: 0.5 } });
    expect(checkSetting('weights', { vision: 1, text: 1, face: 0, voice: 0.2 })).toEqual({ ok: true, value: { text: 1, face: 0, vision: 1, voice: 0.2 } });
    expect(checkSetting('weights', { text: -0, face: 0, vision: 0, voice: 0 })).toEqual({ ok: true, value: { text: 0, face: 0, vision: 0, voice: 0 } });
    expect(checkSetting('weights', { text: 0.5, face: 0.5, vision: 0.5, voice: 2 })).toMatchObject({ ok: false });
    const refused = { ok: false, error: 'Use a number from 0 to 1 for each channel.' };
    for (const bad of [Number.NaN, -0.01, 1.01, Number.POSITIVE_INFINITY, '0.5', null]) {
      expect(checkSetting('weights', { text: bad, face: 0.5, vision: 0.5 })).toEqual(refused);
      expect(checkSetting('weights', { text: 0.5, face: 0.5, vision: bad })).toEqual(refused);
    }
    // Every channel, and only channels.
    expect(checkSetting('weights', { text: 0.5, vision: 0.5 })).toEqual(refused);
    expect(checkSetting('weights', { text: 0.5, face: 0.5, vision: 0.5, audio: 0.5 })).toEqual(refused);
    for (const bad of [0.5, null, 'heavy', [0.5, 0.5, 0.5], {}]) expect(checkSetting('weights', bad)).toEqual(refused);
    expect(checkSetting('device', 'wasm')).toEqual({ ok: true, value: 'wasm' });
    expect(checkSetting('device', 'tpu')).toEqual({ ok: false, error: 'Choose Automatic, WebGPU or WASM.' });
    expect(checkSetting('modelSource', 'disk')).toEqual({ ok: true, value: 'disk' });
    expect(checkSetting('modelSource', 'ftp').ok).toBe(false);
    expect(checkSetting('visionProvider', 'custom')).toEqual({ ok: true, value: 'custom' });
    expect(checkSetting('visionProvider', '').ok).toBe(false);
  });

  it('allows the four ways to read a picture, and says which when it refuses', () => {
    for (const ok of ['auto', 'device', 'cloud', 'both']) expect(checkSetting('pictureAnalysis', ok)).toEqual({ ok: true, value: ok });
    for (const bad of ['faces', 'Device', '', null, 1]) {
      expect(checkSetting('pictureAnalysis', bad)).toEqual({ ok: false, error: 'Choose On this device, Vision model (cloud) or Both.' });
    }
  });

  it('keeps an empty vision model ("pick one automatically") and trims a typed one', () => {
    expect(checkSetting('visionModel', '')).toEqual({ ok: true, value: '' });
    expect(checkSetting('visionModel', '   ')).toEqual({ ok: true, value: '' });
    expect(checkSetting('visionModel', ' qwen/qwen2.5-vl ')).toEqual({ ok: true, value: 'qwen/qwen2.5-vl' });
    expect(checkSetting('visionModel', 'x'.repeat(201)).ok).toBe(false);
  });
});

describe('checkSettingsPatch', () => {
  it('splits a change into the values that may apply and the refused fields', () => {
    expect(checkSettingsPatch({ imageMaxSide: 512, modelHost: 'example.com', visionModel: '', device: undefined })).toEqual({
      ok: { imageMaxSide: 512, visionModel: '' },
      errors: { modelHost: expect.stringMatching(/^The model host must start with https:\/\//u) },
    });
    expect(checkSettingsPatch({})).toEqual({ ok: {}, errors: {} });
  });

  it('decides every field it is given, never throws, and what it accepts passes again unchanged', () => {
    const arbValue = fc.oneof(fc.string(), fc.double(), fc.integer({ min: -10, max: 5000 }), fc.constantFrom('https://x.org/', 'wasm', 'disk', ''));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...SETTING_KEYS), arbValue), (raw) => {
        const patch = raw as SettingsPatch;
        const { ok, errors } = checkSettingsPatch(patch);
        expect([...Object.keys(ok), ...Object.keys(errors)].sort()).toEqual(Object.keys(raw).sort());
        for (const [key, value] of Object.entries(ok)) {
          expect(checkSetting(key as (typeof SETTING_KEYS)[number], value)).toEqual({ ok: true, value });
        }
      }),
    );
  });
});

describe('parseSettings', () => {
  it('reads any record through the same checks', () => {
    fc.assert(
      fc.property(fc.object(), (raw) => {
        const settings = parseSettings(raw);
        for (const key of SETTING_KEYS) expect(checkSetting(key, settings[key]).ok).toBe(true);
      }),
    );
    expect(parseSettings({ imageMaxSide: 99999, textWeight: Number.NaN, visionModel: '' })).toEqual({ ...DEFAULT_SETTINGS, visionModel: '' });
    expect(parseSettings({ schemaVersion: 4, pictureAnalysis: 'faces', weights: { text: 2, face: 0, vision: 0 } })).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ schemaVersion: 4, pictureAnalysis: 'both' }).pictureAnalysis).toBe('both');
  });
});

describe('settings version 4', () => {
  it('reads the text weight w of versions 1 to 3 as text w, faces and vision model 1 − w', () => {
    expect(SETTINGS_VERSION).toBe(4);
    const v3 = parseSettings({ ...DEFAULT_SETTINGS, schemaVersion: 3, weights: undefined, pictureAnalysis: undefined, textWeight: 0.8 });
    expect(v3).toEqual({ ...DEFAULT_SETTINGS, schemaVersion: 4, weights: { text: 0.8, face: 1 - 0.8, vision: 1 - 0.8, voice: 0.5 } });
    expect(v3.pictureAnalysis).toBe('auto');
    expect(parseSettings({ schemaVersion: 1, textWeight: 0 }).weights).toEqual({ text: 0, face: 1, vision: 1, voice: 0.5 });
    expect(parseSettings({ textWeight: 1 }).weights).toEqual({ text: 1, face: 0, vision: 0, voice: 0.5 });
    // Without a valid text weight, every channel counts the same.
    for (const textWeight of [undefined, 1.5, -1, Number.NaN, '0.8']) {
      expect(parseSettings({ schemaVersion: 3, textWeight }).weights).toEqual(EQUAL_WEIGHTS);
    }
  });

  it('keeps the weights of version 4, and ignores a stray text weight there', () => {
    const weights = { text: 0.2, face: 0.7, vision: 0.1 };
    expect(parseSettings({ schemaVersion: 4, weights, textWeight: 0.9 }).weights).toEqual({ ...weights, voice: 0.5 });
    expect(parseSettings({ schemaVersion: 4, textWeight: 0.9 }).weights).toEqual(EQUAL_WEIGHTS);
    expect(parseSettings({ schemaVersion: 4, weights: { text: 0.2, face: 0.7 } }).weights).toEqual(EQUAL_WEIGHTS);
  });
});

describe('numberFromText', () => {
  it('reads blank as not a number, not as 0', () => {
    expect(numberFromText('')).toBeNaN();
    expect(numberFromText('  ')).toBeNaN();
    expect(numberFromText('1024')).toBe(1024);
    expect(numberFromText('abc')).toBeNaN();
  });
});

describe('fieldText', () => {
  it('shows the stored value until the user types', () => {
    expect(fieldText(null, 1024, sideFromText)).toBe('1024');
  });

  it('keeps a refused draft as typed (it does not jump back)', () => {
    expect(fieldText('99999', 1024, sideFromText)).toBe('99999');
    expect(fieldText('', 1024, sideFromText)).toBe('');
    expect(fieldText('example.com', 'https://huggingface.co', checkModelHost)).toBe('example.com');
  });

  it('keeps a valid draft that stands for the stored value, as typed', () => {
    expect(fieldText('https://x.org/', 'https://x.org', checkModelHost)).toBe('https://x.org/');
    expect(fieldText('0512', 512, sideFromText)).toBe('0512');
  });

  it('shows the stored value when it changed for another reason', () => {
    expect(fieldText('https://x.org/', 'https://huggingface.co', checkModelHost)).toBe('https://huggingface.co');
  });
});

describe('settings version 3', () => {
  it('moves a stored Groq choice off the models Groq shut down, and leaves every other choice alone', async () => {
    const { parseSettings, DEFAULT_SETTINGS } = await import('../../src/features/settings/settings');
    for (const retired of ['meta-llama/llama-4-maverick-17b-128e-instruct', 'meta-llama/llama-4-scout-17b-16e-instruct']) {
      expect(parseSettings({ schemaVersion: 2, visionProvider: 'groq', visionModel: retired }).visionModel).toBe(DEFAULT_SETTINGS.visionModel);
    }
    expect(DEFAULT_SETTINGS.visionModel).toBe('qwen/qwen3.6-27b');
    expect(parseSettings({ schemaVersion: 2, visionProvider: 'openrouter', visionModel: 'meta-llama/llama-4-scout' }).visionModel).toBe('meta-llama/llama-4-scout');
    expect(parseSettings({ schemaVersion: 2, visionProvider: 'custom', visionModel: 'meta-llama/llama-4-maverick-17b-128e-instruct' }).visionModel).toBe(
      'meta-llama/llama-4-maverick-17b-128e-instruct',
    );
    // Chosen again after the move (version 3), it is the user's choice.
    expect(parseSettings({ schemaVersion: 3, visionProvider: 'groq', visionModel: 'meta-llama/llama-4-scout-17b-16e-instruct' }).visionModel).toBe(
      'meta-llama/llama-4-scout-17b-16e-instruct',
    );
    expect(parseSettings({ schemaVersion: 2, visionProvider: 'groq', visionModel: '' }).visionModel).toBe('');
  });
});
