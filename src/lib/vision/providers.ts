// Presets for OpenAI-compatible vision providers. Model ids change (Groq retired Llama 4 Scout on
// 2026-07-17), so a preset only fills the base URL and a starting model; the user can change both
// and pick from the provider's own model list.

/** Preset identifiers. */
export type ProviderId = 'groq' | 'openrouter' | 'together' | 'ollama' | 'llamacpp' | 'custom';

/** One preset. */
export interface ProviderPreset {
  readonly id: ProviderId;
  readonly label: string;
  readonly baseUrl: string;
  readonly model: string;
  /** The provider's id for Llama 4 Scout, where it still serves it. */
  readonly scout?: string;
  /** Runs on the user's machine: no key needed. */
  readonly local: boolean;
}

/** Meta's Llama 4 Scout as Groq named it (retired there on 2026-07-17). */
export const GROQ_SCOUT_ID = 'meta-llama/llama-4-scout-17b-16e-instruct';

export const PROVIDERS: readonly ProviderPreset[] = [
  { id: 'groq', label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1', model: 'meta-llama/llama-4-maverick-17b-128e-instruct', local: false },
  { id: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', model: 'meta-llama/llama-4-scout', scout: 'meta-llama/llama-4-scout', local: false },
  { id: 'together', label: 'Together AI', baseUrl: 'https://api.together.xyz/v1', model: 'meta-llama/Llama-4-Scout-17B-16E-Instruct', scout: 'meta-llama/Llama-4-Scout-17B-16E-Instruct', local: false },
  { id: 'ollama', label: 'Ollama (on this computer)', baseUrl: 'http://localhost:11434/v1', model: 'llama3.2-vision', scout: 'llama4:scout', local: true },
  { id: 'llamacpp', label: 'llama.cpp server (on this computer)', baseUrl: 'http://localhost:8080/v1', model: 'default', local: true },
  { id: 'custom', label: 'Custom', baseUrl: '', model: '', local: false },
];

/** The preset with this id (Groq when unknown). */
export function providerById(id: string): ProviderPreset {
  return PROVIDERS.find((p) => p.id === id) ?? (PROVIDERS[0] as ProviderPreset);
}

/** A model id that names Llama 4 Scout, whatever the provider's spelling. */
export function isScout(modelId: string): boolean {
  return /llama[-_ ]?4[-_ :]?scout/iu.test(modelId);
}
