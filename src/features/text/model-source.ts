// Where the text model comes from (a hub-compatible host, or files the user loaded from disk),
// which weight files exist there, and which precision (dtype) to run on which device.

/** Where model files are fetched from, in the Hugging Face hub's URL layout. */
export const DEFAULT_MODEL_HOST = 'https://huggingface.co';

/** A transformers.js-ready ONNX export of j-hartmann/emotion-english-distilroberta-base. */
export const DEFAULT_MODEL_ID = 'Bachkippe/emotion-english-distilroberta-base_onnx';

/**
 * Files loaded from disk live in the model cache under this host, which is never contacted:
 * `.invalid` cannot resolve, and the model fetch answers 404 for it without any request.
 */
export const DISK_MODEL_HOST = 'https://disk.moodlens.invalid';

/** Model id under which files loaded from disk are stored. */
export const DISK_MODEL_ID = 'local/disk-model';

/** Precisions the app knows how to pick between. */
export type ModelDtype = 'fp32' | 'fp16' | 'q8';

/** Runtime the model runs on. */
export type Device = 'webgpu' | 'wasm';

/** The user's device setting. */
export type DevicePreference = 'auto' | Device;

/**
 * What runs the text model on WASM: LiteRT.js (XNNPACK with relaxed SIMD, on a TFLite model
 * converted on the device), possible where the browser has relaxed SIMD and the model converts,
 * or ONNX Runtime Web. WebGPU always runs on ONNX Runtime.
 */
export type TextEngine = 'litert' | 'onnxruntime';

/**
 * The user's engine setting: Automatic (the one measured faster on this device, engine-trial.ts),
 * or one engine (LiteRT.js still falls back to ONNX Runtime where it cannot run).
 */
export type TextEnginePreference = 'auto' | TextEngine;

/** How each engine is named on screen. */
export const TEXT_ENGINE_NAMES: Readonly<Record<TextEngine, string>> = { litert: 'LiteRT.js', onnxruntime: 'ONNX Runtime' };

/** The ONNX weights file for each dtype, as transformers.js names them. */
export const DTYPE_FILES: Readonly<Record<ModelDtype, string>> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
};

/** Files besides the weights that a text-classification pipeline reads. */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** A model location: host in hub layout plus model id. */
export interface ModelSource {
  readonly host: string;
  readonly modelId: string;
}

/** True when the source is the files the user loaded from disk. */
export function isDiskSource(source: ModelSource): boolean {
  return source.host === DISK_MODEL_HOST;
}

/** Hub layout: `<host>/<id>/resolve/main/<file>`. */
/** One string per model source (host and id), for maps and sets of models. */
export function sourceKey(source: ModelSource): string {
  return `${source.host}|${source.modelId}`;
}

export function modelFileUrl(source: ModelSource, file: string): string {
  return `${source.host}/${source.modelId}/resolve/main/${file}`;
}

/** A validation outcome: the cleaned value, or one sentence saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Checks a service address: a full URL whose scheme `allowScheme` accepts, with no query,
 * fragment or credentials; trailing slashes dropped. `what` names it in the messages;
 * `schemeError` says which schemes are allowed, and with `example` answers any address that is
 * not one of those (no scheme, as in "example.com", or another one).
 */
export function checkServiceUrl(
  input: string,
  options: { what: string; example: string; allowScheme: (url: URL) => boolean; schemeError: string },
): Checked<string> {
  const rule = `${options.schemeError} For example ${options.example}.`;
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, error: rule };
  }
  if (!options.allowScheme(url)) return { ok: false, error: rule };
  if (url.search || url.hash || url.username || url.password) {
    return { ok: false, error: `The ${options.what} cannot contain a query, a fragment or credentials.` };
  }
  return { ok: true, value: `${url.origin}${url.pathname}`.replace(/\/+$/u, '') };
}

/**
 * The hosts plain http may reach: this computer only, as the Content Security Policy allows
 * (a CSP source cannot name an IPv6 literal, so not [::1]).
 */
export const LOCAL_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1']);

/** Accepts an https model host, or http for a mirror on this computer (localhost, 127.0.0.1). */
export function checkModelHost(input: string): Checked<string> {
  return checkServiceUrl(input, {
    what: 'model host',
    example: 'https://huggingface.co',
    allowScheme: (url) => url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)),
    schemeError: 'The model host must start with https:// (http:// only for a mirror on this computer, at localhost or 127.0.0.1).',
  });
}

const MODEL_ID = /^[\w.-]{1,96}\/[\w.-]{1,96}$/u;

/** Accepts `owner/name` as the hub spells model ids. */
export function checkModelId(input: string): Checked<string> {
  const text = input.trim();
  if (!MODEL_ID.test(text) || text.includes('..') || text.includes('--')) {
    return { ok: false, error: 'A model id looks like owner/name, for example j-hartmann/emotion-model.' };
  }
  return { ok: true, value: text };
}

/** Preference order of dtypes per device: int8 is fastest on WASM, fp16 on a GPU that has it. */
export function dtypePreference(device: Device, fp16Supported: boolean): ModelDtype[] {
  if (device === 'wasm') return ['q8', 'fp32', 'fp16'];
  return fp16Supported ? ['fp16', 'fp32', 'q8'] : ['fp32', 'q8'];
}

/** The first preferred dtype that the source actually has, or null when it has none usable. */
export function chooseDtype(device: Device, available: readonly ModelDtype[], fp16Supported: boolean): ModelDtype | null {
  return dtypePreference(device, fp16Supported).find((d) => available.includes(d)) ?? null;
}

/** What this browser's WebGPU offers: an adapter at all, and fp16 shaders on it. */
export interface GpuSupport {
  readonly available: boolean;
  readonly fp16: boolean;
}

/** The part of the WebGPU API read here (the full types are not in the TS lib). */
export interface GpuLike {
  requestAdapter(): Promise<{ features: { has(feature: string): boolean } } | null>;
}

/** What `gpu` (navigator.gpu, in the page or in a worker) offers; nothing when absent or failing. */
export async function detectWebGpu(gpu: GpuLike | undefined): Promise<GpuSupport> {
  if (!gpu) return { available: false, fp16: false };
  try {
    const adapter = await gpu.requestAdapter();
    return { available: adapter !== null, fp16: adapter?.features.has('shader-f16') ?? false };
  } catch {
    return { available: false, fp16: false };
  }
}

/** Where a model runs and in which precision, with a note when the device setting could not be met. */
export interface Placement {
  readonly device: Device;
  /** Null when the source has no weights either device can run. */
  readonly dtype: ModelDtype | null;
  readonly deviceNote?: string;
}

/**
 * The device and precision a model with weights `available` gets under the device setting:
 * WebGPU only with an adapter and weights it can run, else WASM (with a note saying why).
 */
export function choosePlacement(preference: DevicePreference, gpu: GpuSupport, available: readonly ModelDtype[]): Placement {
  const device: Device = preference !== 'wasm' && gpu.available ? 'webgpu' : 'wasm';
  const dtype = chooseDtype(device, available, gpu.fp16);
  if (dtype === null && device === 'webgpu') {
    return { device: 'wasm', dtype: chooseDtype('wasm', available, false), deviceNote: 'The model has no weights WebGPU can run here, so it runs on WASM.' };
  }
  if (preference === 'webgpu' && !gpu.available) {
    return { device, dtype, deviceNote: 'This browser offers no WebGPU adapter, so the model runs on WASM.' };
  }
  return { device, dtype };
}
