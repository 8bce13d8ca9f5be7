// The user's settings for the text channel, with a schema version, and the read-time migration
// that turns anything stored (older versions, hand-edited, corrupt) into valid settings.
import {
  DEFAULT_MODEL_HOST,
  DEFAULT_MODEL_ID,
  DISK_MODEL_HOST,
  DISK_MODEL_ID,
  checkModelHost,
  checkModelId,
  checkServiceUrl,
  type Checked,
  type DevicePreference,
  type ModelSource,
} from './model-source';

/** Current schema version of stored settings (2 added the vision provider). */
export const SETTINGS_VERSION = 2;

/** Settings as stored and used. */
export interface Settings {
  readonly schemaVersion: typeof SETTINGS_VERSION;
  readonly modelHost: string;
  readonly modelId: string;
  /** Use the model host, or the files the user loaded from disk. */
  readonly modelSource: 'remote' | 'disk';
  readonly device: DevicePreference;
  /** Vision provider preset id (see vision/providers.ts). */
  readonly visionProvider: string;
  /** OpenAI-compatible base URL, e.g. https://api.groq.com/openai/v1. */
  readonly visionBaseUrl: string;
  readonly visionModel: string;
  /** Long side of the picture sent, in pixels. */
  readonly imageMaxSide: number;
  /** How long one vision request may take, in seconds. */
  readonly visionTimeoutSec: number;
  /** Weight of the text channel in the fused answer (0..1; the picture gets the rest). */
  readonly textWeight: number;
}

/** Settings of a new user. */
export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: SETTINGS_VERSION,
  modelHost: DEFAULT_MODEL_HOST,
  modelId: DEFAULT_MODEL_ID,
  modelSource: 'remote',
  device: 'auto',
  visionProvider: 'groq',
  visionBaseUrl: 'https://api.groq.com/openai/v1',
  visionModel: 'meta-llama/llama-4-maverick-17b-128e-instruct',
  imageMaxSide: 1024,
  visionTimeoutSec: 60,
  textWeight: 0.5,
};

/** Allowed ranges of the numeric settings. */
export const IMAGE_SIDE_RANGE = { min: 256, max: 2048 } as const;
export const TIMEOUT_RANGE = { min: 5, max: 300 } as const;

const DEVICES: readonly DevicePreference[] = ['auto', 'webgpu', 'wasm'];

/** Reads stored settings of any version; every invalid or missing field takes its default. */
export function parseSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_SETTINGS;
  const r = raw as Record<string, unknown>;
  const host = typeof r.modelHost === 'string' ? checkModelHost(r.modelHost) : null;
  const id = typeof r.modelId === 'string' ? checkModelId(r.modelId) : null;
  return {
    schemaVersion: SETTINGS_VERSION,
    modelHost: host?.ok ? host.value : DEFAULT_SETTINGS.modelHost,
    modelId: id?.ok ? id.value : DEFAULT_SETTINGS.modelId,
    modelSource: r.modelSource === 'disk' ? 'disk' : 'remote',
    device: DEVICES.includes(r.device as DevicePreference) ? (r.device as DevicePreference) : 'auto',
    // Version 1 had no vision fields: they take their defaults.
    visionProvider: typeof r.visionProvider === 'string' && r.visionProvider.length < 40 ? r.visionProvider : DEFAULT_SETTINGS.visionProvider,
    visionBaseUrl: typeof r.visionBaseUrl === 'string' && (r.visionBaseUrl === '' || checkApiBaseUrl(r.visionBaseUrl).ok) ? r.visionBaseUrl : DEFAULT_SETTINGS.visionBaseUrl,
    visionModel: typeof r.visionModel === 'string' && r.visionModel.length < 200 ? r.visionModel.trim() : DEFAULT_SETTINGS.visionModel,
    imageMaxSide: inRange(r.imageMaxSide, IMAGE_SIDE_RANGE) ?? DEFAULT_SETTINGS.imageMaxSide,
    visionTimeoutSec: inRange(r.visionTimeoutSec, TIMEOUT_RANGE) ?? DEFAULT_SETTINGS.visionTimeoutSec,
    textWeight:
      typeof r.textWeight === 'number' && r.textWeight >= 0 && r.textWeight <= 1 ? r.textWeight : DEFAULT_SETTINGS.textWeight,
  };
}

function inRange(value: unknown, range: { min: number; max: number }): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max ? value : null;
}

// Not [::1]: a CSP host-source cannot name an IPv6 literal, so the page could not connect to it.
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

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
