// A recording as the voice channel reads it: decoded by the browser's own decoder (whatever it
// plays: WAV, MP3, M4A/AAC, Ogg/Opus, WebM, FLAC), straight to 16 kHz (an OfflineAudioContext at
// 16 kHz resamples what it decodes; the decoding runs off the main thread in the browser), one
// Float32Array per channel. The voice worker mixes the channels. Nothing is stored or sent.
import { MAX_AUDIO_BYTES, MAX_VOICE_SECONDS, VOICE_SAMPLE_RATE } from './limits';
import type { DecodedAudio } from './protocol';
import { VoiceError } from './voice-errors';

/** The decoded recording, with its length in seconds. */
export interface Recording extends DecodedAudio {
  readonly duration: number;
}

export async function decodeRecording(file: Blob): Promise<Recording> {
  if (file.size > MAX_AUDIO_BYTES) {
    throw new VoiceError('too-long', `This file is ${Math.round(file.size / 1024 / 1024)} MB; the voice channel reads recordings up to ${MAX_AUDIO_BYTES / 1024 / 1024} MB and ${MAX_VOICE_SECONDS / 60} minutes. Cut it into parts and analyze each.`);
  }
  let buffer: AudioBuffer;
  try {
    const context = new OfflineAudioContext(1, 1, VOICE_SAMPLE_RATE);
    buffer = await context.decodeAudioData(await file.arrayBuffer());
  } catch (err) {
    throw new VoiceError('unreadable-audio', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
  if (buffer.duration > MAX_VOICE_SECONDS) {
    throw new VoiceError('too-long', `This recording is ${Math.round(buffer.duration / 60)} minutes long; the voice channel reads up to ${MAX_VOICE_SECONDS / 60} minutes. Cut it into parts and analyze each.`);
  }
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => {
    const data = new Float32Array(buffer.length);
    buffer.copyFromChannel(data, c);
    return data;
  });
  return { channels, sampleRate: buffer.sampleRate, duration: buffer.duration };
}
