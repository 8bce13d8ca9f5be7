// Types of scripts/make-voice-fixtures.mjs, for the tests that import it.
export const TONE_MODEL_ID: string;
export const TONE_DIR: string;
export const AUDIO_DIR: string;
export const TONE_LABELS: readonly string[];
export function toneGraph(): Buffer;
export function toneModelFiles(): Map<string, Buffer>;
export const WHISPER_DIR: string;
