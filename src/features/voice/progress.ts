// What the voice channel is doing, as one sentence for the status line.
import { formatBytes, formatPercent, formatTimeLeft } from '../../shared/format';
import type { VoiceProgress } from './protocol';
import type { VoicePhase } from './voice-channel.svelte';

export function describeVoiceProgress(phase: VoicePhase, progress: VoiceProgress | null, secondsLeft: number | null = null): string {
  const line = stepLine(phase, progress);
  const left = formatTimeLeft(secondsLeft);
  return left ? `${line} (${left} in this step)` : line;
}

function stepLine(phase: VoicePhase, progress: VoiceProgress | null): string {
  if (phase === 'checking') return 'Checking the voice models…';
  if (phase === 'decoding') return 'Decoding the recording on this device…';
  if (!progress) return 'Reading the voice on this device…';
  switch (progress.stage) {
    case 'segments':
      return `Finding the speech in the recording… ${formatPercent(progress.total ? progress.done / progress.total : 0)}`;
    case 'speech-model':
      return progress.total
        ? `Downloading the speech model… ${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} (once; then it works offline)`
        : 'Loading the speech model…';
    case 'speech':
      return `Listening to what was said… ${progress.done} of ${progress.total} ${progress.total === 1 ? 'part' : 'parts'} of up to 30 s`;
    case 'tone-model':
      return progress.total
        ? `Downloading the tone model… ${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} (once; then it works offline)`
        : 'Loading the tone model…';
    case 'tone':
      return `Reading how each stretch of speech sounds… ${progress.done} of ${progress.total}`;
  }
}
