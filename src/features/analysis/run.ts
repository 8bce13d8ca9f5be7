// One press of Analyze is one run: its inputs, and for every channel asked either its result, its
// failure or its cancellation. Everything the page shows about an analysis (Overall, the channel
// views) and the History record derive from one run alone, so answers from two runs never mix.
// Runs are immutable: settling a channel returns a new run. Pure: no DOM, no Svelte.
import type { TextPiece } from '../text/protocol';
import { CHANNEL_IDS, CHANNEL_NOUNS, type ChannelId } from '../../shared/channels';
import { fuseScores, sharesOf, type FusionResult } from '../../shared/fusion';
import { HISTORY_VERSION, type FacePart, type HistoryRecord, type TextPart, type VisionPart, type VoicePart } from '../history/records';

import type { EmotionScores } from '../../shared/emotions';
import type { VoiceTimings } from '../voice/protocol';
import type { FaceTrack } from '../video/tracker';
import { formatPercent } from '../../shared/format';

export { CHANNEL_IDS, CHANNEL_NOUNS, type ChannelId } from '../../shared/channels';

/**
 * The text channel's answer: what a History record keeps of it (`TextPart`, whose text is the
 * run's input), and whether the worker had read this text before.
 */
export type TextChannelResult = Omit<TextPart, 'text'> & {
  /** The worker had read this text with this model before: its earlier result. */
  readonly cached?: boolean;
  /** A text read in several chunks: each with its own scores (not kept in History). */
  readonly parts?: readonly TextPiece[];
};

/** Tokens a provider counted for one picture, summed over its requests. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Of the completion tokens, those spent on reasoning (when the provider says). */
  readonly reasoningTokens: number | null;
  readonly totalTokens: number;
}

/**
 * The picture channel's answer: what a History record keeps of it, and what it cost (requests,
 * tokens), which is shown but not kept.
 */
export type VisionChannelResult = VisionPart & {
  /** Requests made, retries included; unknown for runs read back from History. */
  readonly requests?: number;
  readonly usage?: TokenUsage;
};

/** A video's faces through time: its tracks (not kept in History yet). */
export interface VideoFaces {
  readonly duration: number;
  /** Frames read per second of video, and how many in all. */
  readonly fps: number;
  readonly frames: number;
  readonly tracks: readonly FaceTrack[];
  /** The face worker's time per frame, on average (ms). */
  readonly frameMs: number;
}

/**
 * The face channel's answer: the faces read (never none: a picture without a face leaves the
 * channel out of the run) and their mixed scores, as a History record keeps them; for a video,
 * one face per track and its tracks through time.
 */
export type FaceChannelResult = FacePart & { readonly video?: VideoFaces };

/**
 * The voice channel's answer: the recording's segments and their tones, as a History record keeps
 * them, and the tone model's labels that name none of the seven (shown, not kept).
 */
export type VoiceChannelResult = VoicePart & {
  readonly unmappedLabels?: readonly string[];
  /** Where the worker's time went (not kept in History). */
  readonly timings?: VoiceTimings;
};

/** Each channel's result type. */
export interface ChannelResults {
  readonly text: TextChannelResult;
  readonly face: FaceChannelResult;
  readonly vision: VisionChannelResult;
  readonly voice: VoiceChannelResult;
}

/** Where one channel of a run stands. */
export type ChannelOutcome<R> =
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly result: R }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'cancelled'; readonly message: string }
  /** Ran and found nothing to read (a picture without a face): a normal answer, not an error. */
  | { readonly status: 'empty'; readonly message: string };

/** Outcomes of the channels asked; a channel not asked has no entry. */
export type RunChannels = { readonly [K in ChannelId]?: ChannelOutcome<ChannelResults[K]> };

/** What the user gave to one run. */
export interface RunInputs {
  /** The text as analyzed (trimmed), or null when the run had no text. */
  readonly text: string | null;
  /** Identifies the prepared picture (a new pick is a new picture), or null. */
  readonly pictureId: string | null;
  /** Small JPEG of the picture for the History (never the original). */
  readonly thumbnail: Blob | null;
  /** Identifies the recording (a new pick is a new recording), or null; the sound is never kept. */
  readonly audioId?: string | null;
  /** Identifies the video (its faces and sound are read; it is never kept), or null. */
  readonly videoId?: string | null;
}

/** One analysis. */
export interface Run {
  readonly id: string;
  /** When Analyze was pressed (ms since the epoch). */
  readonly createdAt: number;
  /** When the last channel settled; null while any is running. */
  readonly finishedAt: number | null;
  readonly inputs: RunInputs;
  /**
   * The inputs and every setting that changes an answer (model, device, provider, vision model),
   * as one string: two runs with the same signature would give the same answer.
   */
  readonly signature: string;
  readonly channels: RunChannels;
  /** The user's tags for this analysis, kept in its History record. */
  readonly tags: readonly string[];
  /** The History entry this run analyses again (Analyze again), or null. */
  readonly againOf: string | null;
}

/** A run with every asked channel running. */
export function startRun(input: {
  id: string;
  createdAt: number;
  inputs: RunInputs;
  signature: string;
  channels: readonly ChannelId[];
  tags?: readonly string[];
  againOf?: string | null;
  /** Results taken over as they are (the picture's, when an entry's text is analyzed again). */
  carried?: RunChannels;
}): Run {
  const channels: { -readonly [K in ChannelId]?: ChannelOutcome<ChannelResults[K]> } = { ...input.carried };
  for (const c of input.channels) channels[c] = { status: 'running' };
  return {
    id: input.id,
    createdAt: input.createdAt,
    finishedAt: null,
    inputs: input.inputs,
    signature: input.signature,
    channels,
    tags: input.tags ?? [],
    againOf: input.againOf ?? null,
  };
}

/** The run with `channel` settled; the run finishes when no channel is running any more. */
export function settleChannel<K extends ChannelId>(run: Run, channel: K, outcome: ChannelOutcome<ChannelResults[K]>, now: number): Run {
  if (!run.channels[channel]) throw new Error(`Channel ${channel} was not asked in this run.`);
  const channels = { ...run.channels, [channel]: outcome };
  const running = CHANNEL_IDS.some((c) => channels[c]?.status === 'running');
  return { ...run, channels, finishedAt: running ? null : now };
}

/**
 * The run with `text` as its text and the text channel asked: a recording's transcript read as
 * the run's text when the user gave none.
 */
export function withRunText(run: Run, text: string): Run {
  return { ...run, inputs: { ...run.inputs, text }, channels: { ...run.channels, text: { status: 'running' } }, finishedAt: null };
}

/** A voice result with its segments' words read: `words[i]` for segment i (null: not read). */
export function withWords(result: VoiceChannelResult, words: ReadonlyArray<EmotionScores | null>): VoiceChannelResult {
  return { ...result, segments: result.segments.map((s, i) => ({ ...s, words: words[i] ?? null })) };
}

/** Channels asked in the run. */
export function askedChannels(run: Run): ChannelId[] {
  return CHANNEL_IDS.filter((c) => run.channels[c] !== undefined);
}

/** The result of `channel`, when it finished in this run. */
export function resultOf<K extends ChannelId>(run: Run, channel: K): ChannelResults[K] | null {
  const outcome = run.channels[channel] as ChannelOutcome<ChannelResults[K]> | undefined;
  return outcome?.status === 'done' ? outcome.result : null;
}

/** Channels that gave a result. */
export function doneChannels(run: Run): ChannelId[] {
  return CHANNEL_IDS.filter((c) => run.channels[c]?.status === 'done');
}

/** True when at least one channel gave a result: such a run is shown and saved. */
export function hasResult(run: Run): boolean {
  return doneChannels(run).length > 0;
}

/** True when every asked channel gave a result. */
export function isComplete(run: Run): boolean {
  return run.finishedAt !== null && askedChannels(run).every((c) => run.channels[c]?.status === 'done');
}

/** Asked channels that did not give a result, with why, for the sentence the page shows. */
export function missingChannels(run: Run): Array<{ channel: ChannelId; status: 'failed' | 'cancelled' | 'empty'; message: string }> {
  return askedChannels(run).flatMap((channel) => {
    const o = run.channels[channel];
    return o && (o.status === 'failed' || o.status === 'cancelled' || o.status === 'empty') ? [{ channel, status: o.status, message: o.message }] : [];
  });
}

/** Each channel's scores in this run (null for a channel without a result). */
export function runScores(run: Run): Record<ChannelId, EmotionScores | null> {
  return {
    text: resultOf(run, 'text')?.scores ?? null,
    face: resultOf(run, 'face')?.scores ?? null,
    vision: resultOf(run, 'vision')?.scores ?? null,
    voice: resultOf(run, 'voice')?.scores ?? null,
  };
}

/**
 * The fused answer of the channels that gave a result in this run (null when none did), with
 * `weights` renormalised over them. When only one channel gave a result while others were asked,
 * the explanation says the answer rests on that one.
 */
export function fuseRun(run: Run, weights: Readonly<Partial<Record<ChannelId, number>>>): FusionResult | null {
  const fused = fuseScores(runScores(run), weights);
  if (!fused || fused.present.length > 1 || missingChannels(run).length === 0) return fused;
  const only = CHANNEL_NOUNS[fused.present[0]!];
  return { ...fused, explanation: `Only the ${only} gave a result: ${fused.present[0] === 'face' ? 'they read' : 'it reads'} as ${fused.top} (${formatPercent(fused.topScore)}).` };
}

/** The History record of a finished run with a result: exactly what the page showed. */
export function recordOf(run: Run, weights: Readonly<Partial<Record<ChannelId, number>>>): HistoryRecord | null {
  if (run.finishedAt === null || !hasResult(run)) return null;
  const t = resultOf(run, 'text');
  const f = resultOf(run, 'face');
  const v = resultOf(run, 'vision');
  const a = resultOf(run, 'voice');
  const present = doneChannels(run);
  const all = sharesOf(weights, present);
  const shares = Object.fromEntries(present.map((c) => [c, all[c]]));
  return {
    schemaVersion: HISTORY_VERSION,
    id: run.id,
    createdAt: run.createdAt,
    textPart: t && {
      text: run.inputs.text ?? '',
      scores: t.scores,
      modelId: t.modelId,
      device: t.device,
      dtype: t.dtype,
      ...(t.engine ? { engine: t.engine } : {}),
      inferenceMs: t.inferenceMs,
      chunks: t.chunks,
      tokens: t.tokens,
    },
    visionPart: v && { scores: v.scores, description: v.description, model: v.model, provider: v.provider, elapsedMs: v.elapsedMs },
    facePart: f && { scores: f.scores, faces: f.faces, model: f.model, elapsedMs: f.elapsedMs },
    voicePart: a && {
      scores: a.scores,
      segments: a.segments,
      transcript: a.transcript,
      language: a.language,
      speechModel: a.speechModel,
      duration: a.duration,
      toneModel: a.toneModel,
      elapsedMs: a.elapsedMs,
    },
    thumbnail: v || f ? run.inputs.thumbnail : null,
    weights: shares,
    tags: run.tags,
    againOf: run.againOf,
  };
}

/** A record's results as finished channels. */
function channelsOfRecord(record: HistoryRecord): RunChannels {
  const channels: { -readonly [K in ChannelId]?: ChannelOutcome<ChannelResults[K]> } = {};
  if (record.textPart) {
    const { text: _text, ...result } = record.textPart;
    channels.text = { status: 'done', result };
  }
  if (record.visionPart) channels.vision = { status: 'done', result: record.visionPart };
  if (record.facePart) channels.face = { status: 'done', result: record.facePart };
  if (record.voicePart) channels.voice = { status: 'done', result: record.voicePart };
  return channels;
}

/** A saved record as a run, so History shows it with the same views as a fresh analysis. */
export function runOfRecord(record: HistoryRecord): Run {
  return {
    id: record.id,
    createdAt: record.createdAt,
    finishedAt: record.createdAt,
    inputs: { text: record.textPart?.text ?? null, pictureId: null, thumbnail: record.thumbnail },
    signature: `record:${record.id}`,
    channels: channelsOfRecord(record),
    tags: record.tags,
    againOf: record.againOf,
  };
}

/**
 * A new run of a saved entry's text with the current model and settings (Analyze again). Only the
 * text can be read again: the original picture is not kept (only a small thumbnail), so the
 * entry's picture results are taken over as they were. The tags are kept. Null for an entry
 * without a text.
 */
export function againRun(record: HistoryRecord, input: { id: string; createdAt: number; signature: string }): Run | null {
  if (!record.textPart) return null;
  const { text: _text, ...carried } = channelsOfRecord(record);
  return startRun({
    ...input,
    inputs: { text: record.textPart.text, pictureId: null, thumbnail: record.thumbnail },
    channels: ['text'],
    tags: record.tags,
    againOf: record.id,
    carried,
  });
}
