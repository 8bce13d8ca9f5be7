// A result as a few lines of plain text to paste anywhere: the answer with its
// probability and confidence, each channel's top emotion, the agreement, and the text's start.
import { CHANNEL_TITLES } from '../../shared/channels';
import type { FusionResult } from '../../shared/fusion';
import { formatPercent } from '../../shared/format';
import { topEmotion } from '../../shared/emotions';
import { resultOf, runScores, type Run } from './run';

/** The summary of `run` with its fused answer `fusion` (computed once, by whoever shows the run); '' without one. */
export function summaryText(run: Run, fusion: FusionResult | null): string {
  if (!fusion) return '';
  const scores = runScores(run);
  const lines = [`Moodlens: ${fusion.top} (${formatPercent(fusion.topScore)}), ${fusion.confidenceLabel} confidence`];
  const channels = fusion.present.map((c) => {
    const s = scores[c]!;
    const top = topEmotion(s);
    return `${CHANNEL_TITLES[c]}: ${top.emotion} ${formatPercent(top.score)}`;
  });
  if (channels.length > 1) lines.push(`${channels.join('; ')}; ${fusion.topsAgree ? 'the channels agree' : 'the channels disagree'}`);
  const text = resultOf(run, 'text') ? (run.inputs.text ?? '') : '';
  if (text) lines.push(`"${text.length > 140 ? `${text.slice(0, 140).trimEnd()}…` : text}"`);
  lines.push(new Date(run.createdAt).toISOString().slice(0, 10));
  return lines.join('\n');
}
