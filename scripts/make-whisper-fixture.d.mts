// Types of scripts/make-whisper-fixture.mjs, for the tests that import it.
export const WHISPER_MODEL_ID: string;
export const SCRIPTS: ReadonlyArray<{ readonly language: string; readonly text: string }>;
export function whisperModelFiles(): Map<string, Buffer>;
