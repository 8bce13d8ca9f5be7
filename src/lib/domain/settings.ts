// The user's settings for the text channel, with a schema version, and the read-time migration
// that turns anything stored (older versions, hand-edited, corrupt) into valid settings.
import {
  DEFAULT_MODEL_HOST,
  DEFAULT_MODEL_ID,
  DISK_MODEL_HOST,
  DISK_MODEL_ID,
  checkModelHost,
  checkModelId,
  type DevicePreference,
  type ModelSource,
} from './model-source';

/** Current schema version of stored settings. */
export const SETTINGS_VERSION = 1;

/** Settings as stored and used. */
export interface Settings {
  readonly schemaVersion: typeof SETTINGS_VERSION;
  readonly modelHost: string;
  readonly modelId: string;
  /** Use the model host, or the files the user loaded from disk. */
  readonly modelSource: 'remote' | 'disk';
  readonly device: DevicePreference;
}

/** Settings of a new user. */
export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: SETTINGS_VERSION,
  modelHost: DEFAULT_MODEL_HOST,
  modelId: DEFAULT_MODEL_ID,
  modelSource: 'remote',
  device: 'auto',
};

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
  };
}

/** The model source these settings select. */
export function sourceOf(settings: Settings): ModelSource {
  return settings.modelSource === 'disk'
    ? { host: DISK_MODEL_HOST, modelId: DISK_MODEL_ID }
    : { host: settings.modelHost, modelId: settings.modelId };
}
