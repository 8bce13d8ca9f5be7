// Reads a 16-bit PCM WAV file (what scripts/make-voice-fixtures.mjs writes) into one Float32Array
// per channel, for Node tests of the voice channel (the app decodes with the browser's decoder).
import { readFileSync } from 'node:fs';

export interface Wav {
  readonly sampleRate: number;
  readonly channels: Float32Array[];
}

export function readWav(file: string): Wav {
  const buf = readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file} is not a WAV file`);
  let at = 12;
  let format: { channels: number; sampleRate: number; bits: number } | null = null;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (buf.readUInt16LE(body) !== 1) throw new Error(`${file}: not PCM`);
      format = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.bits !== 16) throw new Error(`${file}: only 16-bit PCM is read here`);
      const frames = Math.floor(size / 2 / format.channels);
      const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < format.channels; c++) channels[c]![i] = buf.readInt16LE(body + (i * format.channels + c) * 2) / 32768;
      }
      return { sampleRate: format.sampleRate, channels };
    }
    at = body + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}
