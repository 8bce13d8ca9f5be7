// Presets for OpenAI-compatible vision providers. Model ids change (Groq shut down Llama 4 Maverick
// on 2026-03-09 and Scout on 2026-07-17; its image models are now Qwen reasoning models), so a
// preset only fills the base URL and a model the provider serves today; the user can change both,
// pick from the provider's own list, or leave the model empty for an automatic pick.

/** Preset identifiers. */
export type ProviderId = 'groq' | 'openrouter' | 'together' | 'ollama' | 'llamacpp' | 'custom';

/** One preset. */
export interface ProviderPreset {
  readonly id: ProviderId;
  readonly label: string;
  readonly baseUrl: string;
  /** A model the provider serves today that takes pictures ('' = pick one from its list). */
  readonly model: string;
  /** Runs on the user's machine: no key needed. */
  readonly local: boolean;
}

export const PROVIDERS: readonly ProviderPreset[] = [
  { id: 'groq', label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1', model: 'qwen/qwen3.6-27b', local: false },
  { id: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', model: 'meta-llama/llama-4-scout', local: false },
  // Together removed Llama 4 Scout from serverless on 2026-03-11.
  { id: 'together', label: 'Together AI', baseUrl: 'https://api.together.xyz/v1', model: 'Qwen/Qwen2.5-VL-72B-Instruct', local: false },
  { id: 'ollama', label: 'Ollama (on this computer)', baseUrl: 'http://localhost:11434/v1', model: 'llama3.2-vision', local: true },
  { id: 'llamacpp', label: 'llama.cpp server (on this computer)', baseUrl: 'http://localhost:8080/v1', model: 'default', local: true },
  { id: 'custom', label: 'Custom', baseUrl: '', model: '', local: false },
];

/** The preset with this id (Groq when unknown). */
export function providerById(id: string): ProviderPreset {
  return PROVIDERS.find((p) => p.id === id) ?? (PROVIDERS[0] as ProviderPreset);
}

/** Where Llama 4 Scout (the seed's choice) is still served, for a provider that does not list it. */
export const SCOUT_ELSEWHERE = 'Llama 4 Scout is not in this provider\'s list. OpenRouter still serves it as meta-llama/llama-4-scout (Groq shut it down on 2026-07-17, Together on 2026-03-11).';
