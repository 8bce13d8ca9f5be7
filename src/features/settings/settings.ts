// The user's settings for the text channel, with a schema version, and the read-time migration
// that turns anything stored (older versions, hand-edited, corrupt) into valid settings.
import {
  DEFAULT_MODEL_HOST,
  DEFAULT_MODEL_ID,
  DISK_MODEL_HOST,
  DISK_MODEL_ID,
  LOCAL_HOSTS,
  checkModelHost,
  checkModelId,
  checkServiceUrl,
  type Checked,
  type DevicePreference,
  type TextEnginePreference,
  type ModelSource,
} from '../text/model-source';
import { CHANNEL_IDS, EQUAL_WEIGHTS, isChannelId, type ChannelWeights } from '../../shared/channels';

/**
 * Current schema version of stored settings (2 added the vision provider; 3 moved Groq off its
 * retired models; 4 added the face channel: `pictureAnalysis`, and `weights` per channel in place
 * of `textWeight`, which is read as text w, faces and vision model 1 − w).
 */
export const SETTINGS_VERSION = 4;

/**
 * Who reads a picture: the face channel on this device, the vision model in the cloud, or both.
 * `auto` (nobody chose yet): on this device without an API key, the vision model with one.
 */
export type PictureAnalysis = 'auto' | 'device' | 'cloud' | 'both';

const PICTURE_ANALYSES: readonly PictureAnalysis[] = ['auto', 'device', 'cloud', 'both'];

/** Settings as stored and used. */
export interface Settings {
  readonly schemaVersion: typeof SETTINGS_VERSION;
  readonly modelHost: string;
  readonly modelId: string;
  /** Use the model host, or the files the user loaded from disk. */
  readonly modelSource: 'remote' | 'disk';
  readonly device: DevicePreference;
  /** Which engine runs the text model on WASM (see model-source.ts). */
  readonly textEngine: TextEnginePreference;
  /** Vision provider preset id (see vision/providers.ts). */
  readonly visionProvider: string;
  /** OpenAI-compatible base URL, e.g. https://api.groq.com/openai/v1. */
  readonly visionBaseUrl: string;
  readonly visionModel: string;
  /** Long side of the picture sent, in pixels. */
  readonly imageMaxSide: number;
  /** How long one vision request may take, in seconds. */
  readonly visionTimeoutSec: number;
  /** Who reads a picture. */
  readonly pictureAnalysis: PictureAnalysis;
  /** Weight of each channel in the fused answer (0..1 each; renormalised over the channels present). */
  readonly weights: ChannelWeights;
  /** The speech-emotion model of the voice channel, on the Model host (issue 30). */
  readonly toneModel: string;
  /** The speech-recognition (Whisper) model of the voice channel, on the Model host. */
  readonly speechModel: string;
  /** Frames of a video read for faces per second of video (issue 31). */
  readonly videoFps: number;
}

/** The voice channel's tone model by default: wav2vec2 fine-tuned on acted speech, ONNX. */
export const DEFAULT_TONE_MODEL = 'onnx-community/wav2vec2-emotion-recognition-ONNX';

/**
 * The voice channel's speech model by default: Whisper base, multilingual (99 languages), 74 M
 * parameters; the app loads its encoder in fp32 (quantising Whisper's encoder costs accuracy) and
 * its decoder in int8.
 */
export const DEFAULT_SPEECH_MODEL = 'onnx-community/whisper-base';

/** Settings of a new user. */
export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: SETTINGS_VERSION,
  modelHost: DEFAULT_MODEL_HOST,
  modelId: DEFAULT_MODEL_ID,
  modelSource: 'remote',
  device: 'auto',
  textEngine: 'auto',
  visionProvider: 'groq',
  visionBaseUrl: 'https://api.groq.com/openai/v1',
  visionModel: 'qwen/qwen3.6-27b',
  imageMaxSide: 1024,
  visionTimeoutSec: 60,
  pictureAnalysis: 'auto',
  weights: EQUAL_WEIGHTS,
  toneModel: DEFAULT_TONE_MODEL,
  speechModel: DEFAULT_SPEECH_MODEL,
  videoFps: 4,
};

/** Allowed ranges of the numeric settings. */
export const IMAGE_SIDE_RANGE = { min: 256, max: 2048 } as const;
export const TIMEOUT_RANGE = { min: 5, max: 300 } as const;
export const VIDEO_FPS_RANGE = { min: 1, max: 10 } as const;

/** Longest vision model id kept. */
export const VISION_MODEL_MAX = 200;

const DEVICES: readonly DevicePreference[] = ['auto', 'webgpu', 'wasm'];
const PROVIDER_ID = /^[\w-]{1,39}$/u;

/** The settings a user can change (all but the schema version). */
export type SettingKey = Exclude<keyof Settings, 'schemaVersion'>;

/** Valid values for some settings. */
export type SettingsValues = Partial<Pick<Settings, SettingKey>>;

/**
 * A change the user asked for, before it is checked: every field optional, and choices widened
 * to `string` (a select's value, a radio's value), since the check decides what is allowed.
 */
export type SettingsPatch = { readonly [K in SettingKey]?: Settings[K] extends string ? string : Settings[K] };

/** Refused fields, each with one sentence saying what is allowed. */
export type SettingsErrors = Partial<Record<SettingKey, string>>;

/** The sentence for a whole number in `range`, e.g. "Use a whole number from 256 to 2048.". */
export function wholeNumberRule(range: { min: number; max: number }, unit = ''): string {
  return `Use a whole number${unit ? ` of ${unit}` : ''} from ${range.min} to ${range.max}.`;
}

function wholeNumber(range: { min: number; max: number }, unit = '') {
  return (value: unknown): Checked<number> =>
    typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max
      ? { ok: true, value }
      : { ok: false, error: wholeNumberRule(range, unit) };
}

/** A text check applied to anything: what is not text is checked as blank, and refused as such. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : '');

/** One check per setting; each takes anything (stored or typed) and says what is allowed when it refuses. */
const CHECKS: { readonly [K in SettingKey]: (value: unknown) => Checked<Settings[K]> } = {
  modelHost: (value) => checkModelHost(asText(value)),
  modelId: (value) => checkModelId(asText(value)),
  modelSource: (value) =>
    value === 'remote' || value === 'disk'
      ? { ok: true, value }
      : { ok: false, error: 'Choose to download the model from the web, or to use files loaded from disk.' },
  device: (value) =>
    DEVICES.includes(value as DevicePreference)
      ? { ok: true, value: value as DevicePreference }
      : { ok: false, error: 'Choose Automatic, WebGPU or WASM.' },
  textEngine: (value) =>
    value === 'auto' || value === 'onnxruntime' || value === 'litert'
      ? { ok: true, value }
      : { ok: false, error: 'Choose Automatic, LiteRT.js or ONNX Runtime.' },
  visionProvider: (value) =>
    typeof value === 'string' && PROVIDER_ID.test(value) ? { ok: true, value } : { ok: false, error: 'Choose a provider from the list.' },
  visionBaseUrl: (value) => checkApiBaseUrl(asText(value)),
  // Empty is allowed: no model chosen yet (the app may pick one).
  visionModel: (value) => {
    const model = typeof value === 'string' ? value.trim() : null;
    return model !== null && model.length <= VISION_MODEL_MAX
      ? { ok: true, value: model }
      : { ok: false, error: `A model id has at most ${VISION_MODEL_MAX} characters.` };
  },
  imageMaxSide: wholeNumber(IMAGE_SIDE_RANGE),
  visionTimeoutSec: wholeNumber(TIMEOUT_RANGE, 'seconds'),
  pictureAnalysis: (value) =>
    PICTURE_ANALYSES.includes(value as PictureAnalysis)
      ? { ok: true, value: value as PictureAnalysis }
      : { ok: false, error: 'Choose On this device, Vision model (cloud) or Both.' },
  // Every channel, and only channels; the voice, added since weights were first stored, takes
  // its default when it is missing.
  weights: (value) => {
    const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const ok = CHANNEL_IDS.every((c) => (c === 'voice' && v[c] === undefined) || isWeight(v[c])) && Object.keys(v).every(isChannelId);
    return ok
      ? { ok: true, value: Object.fromEntries(CHANNEL_IDS.map((c) => [c, v[c] === undefined ? EQUAL_WEIGHTS[c] : (v[c] as number) + 0])) as unknown as ChannelWeights }
      : { ok: false, error: 'Use a number from 0 to 1 for each channel.' };
  },
  toneModel: (value) => checkModelId(asText(value)),
  speechModel: (value) => checkModelId(asText(value)),
  videoFps: wholeNumber(VIDEO_FPS_RANGE, 'frames a second'),
};

function isWeight(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

/** The settings a user can change, in the order Settings shows them. */
export const SETTING_KEYS = Object.keys(CHECKS) as readonly SettingKey[];

/** What each setting is called on screen, for a status line that names a refused field. */
export const SETTING_NAMES: Readonly<Record<SettingKey, string>> = {
  modelHost: 'Model host',
  modelId: 'Model id',
  modelSource: 'Model source',
  device: 'Device',
  textEngine: 'Text engine',
  visionProvider: 'Provider',
  visionBaseUrl: 'API base URL',
  visionModel: 'Vision model',
  imageMaxSide: 'Picture size',
  visionTimeoutSec: 'Request timeout',
  pictureAnalysis: 'Picture analysis',
  weights: 'Channel weights',
  toneModel: 'Tone model',
  speechModel: 'Speech model',
  videoFps: 'Frames per second',
};

/** The parts of Settings; each shows beside its own fields what it did not save. */
export type SettingsSection = 'model' | 'pictures' | 'vision' | 'fusion' | 'voice';

/** Which part of Settings each setting belongs to (the weights are set from the fused answer). */
export const SETTING_SECTIONS: Readonly<Record<SettingKey, SettingsSection>> = {
  modelHost: 'model',
  modelId: 'model',
  modelSource: 'model',
  device: 'model',
  textEngine: 'model',
  visionProvider: 'vision',
  visionBaseUrl: 'vision',
  visionModel: 'vision',
  imageMaxSide: 'vision',
  visionTimeoutSec: 'vision',
  pictureAnalysis: 'pictures',
  weights: 'fusion',
  toneModel: 'voice',
  speechModel: 'voice',
  videoFps: 'voice',
};

/** Checks one setting: the cleaned value (trimmed, trailing slashes dropped), or what is allowed. */
export function checkSetting<K extends SettingKey>(key: K, value: unknown): Checked<Settings[K]> {
  return CHECKS[key](value);
}

/** Splits a change into the values that may be applied and the fields refused, each with its sentence. */
export function checkSettingsPatch(patch: SettingsPatch): { ok: SettingsValues; errors: SettingsErrors } {
  const ok: Record<string, unknown> = {};
  const errors: SettingsErrors = {};
  for (const key of SETTING_KEYS) {
    if (patch[key] === undefined) continue;
    const checked = checkSetting(key, patch[key]);
    if (checked.ok) ok[key] = checked.value;
    else errors[key] = checked.error;
  }
  return { ok: ok as SettingsValues, errors };
}

/** A number typed into a field: blank is not a number (NaN), not 0. */
export function numberFromText(input: string): number {
  return input.trim() === '' ? Number.NaN : Number(input);
}

/**
 * What a settings field shows: the user's draft while it is refused, or while it stands for the
 * stored value (so "https://x.org/" is not rewritten to "https://x.org" mid-typing); otherwise the
 * stored value, which changed for another reason (a preset, a reset, the model list).
 */
export function fieldText<T>(draft: string | null, stored: T, check: (input: string) => Checked<T>): string {
  if (draft === null) return String(stored);
  const checked = check(draft);
  return !checked.ok || checked.value === stored ? draft : String(stored);
}

/** Reads stored settings of any version; every invalid or missing field takes its default. */
export function parseSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_SETTINGS;
  // Version 1 had no vision fields: they take their defaults.
  let settings: Settings = { ...DEFAULT_SETTINGS, ...checkSettingsPatch(raw as SettingsPatch).ok, schemaVersion: SETTINGS_VERSION };
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  // Versions 1-3 had one text weight w: the text keeps w, each picture channel gets 1 − w.
  const textWeight = (raw as { textWeight?: unknown }).textWeight;
  if ((typeof version !== 'number' || version < 4) && isWeight(textWeight)) {
    settings = { ...settings, weights: { text: textWeight, face: 1 - textWeight, vision: 1 - textWeight, voice: DEFAULT_SETTINGS.weights.voice } };
  }
  // Version 2 defaulted Groq to models Groq has shut down: such a choice takes today's default.
  if ((typeof version !== 'number' || version < 3) && settings.visionProvider === 'groq' && GROQ_RETIRED.has(settings.visionModel)) {
    return { ...settings, visionModel: DEFAULT_SETTINGS.visionModel };
  }
  return settings;
}

/** Models Groq served for pictures and shut down (Maverick 2026-03-09, Scout 2026-07-17). */
const GROQ_RETIRED: ReadonlySet<string> = new Set(['meta-llama/llama-4-maverick-17b-128e-instruct', 'meta-llama/llama-4-scout-17b-16e-instruct']);

// Not [::1]: a CSP host-source cannot name an IPv6 literal, so the page could not connect to it.

/**
 * Accepts an https base URL, or http for a server on this computer (Ollama, llama.cpp); no
 * query, fragment or credentials. Trailing slashes are dropped.
 */
export function checkApiBaseUrl(input: string): Checked<string> {
  return checkServiceUrl(input, {
    what: 'base URL',
    example: 'https://api.groq.com/openai/v1',
    allowScheme: (url) => url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)),
    schemeError: 'Use https:// (http:// only for a server on this computer, such as Ollama, at localhost or 127.0.0.1).',
  });
}

/** The model source these settings select. */
export function sourceOf(settings: Settings): ModelSource {
  return settings.modelSource === 'disk'
    ? { host: DISK_MODEL_HOST, modelId: DISK_MODEL_ID }
    : { host: settings.modelHost, modelId: settings.modelId };
}
