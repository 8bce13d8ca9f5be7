// The voice channel's fixed numbers, in a module of their own so the page's first chunk takes
// them without the worker's code.

/** The rate every voice model reads. */
export const VOICE_SAMPLE_RATE = 16_000;

/** The longest recording read, in seconds (20 minutes: at least 10 were asked for). */
export const MAX_VOICE_SECONDS = 20 * 60;

/** Files larger than this are refused before decoding (a 20-minute WAV at 48 kHz stereo is 230 MB). */
export const MAX_AUDIO_BYTES = 512 * 1024 * 1024;
