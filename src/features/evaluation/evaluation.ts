// Evaluation of a batch against the user's labels: for each channel that ran and for the
// fused answer, accuracy and macro-F1 with 95 % bootstrap intervals, per-class figures, the
// confusion matrix, calibration (ECE and the reliability bins); with two channels, the weight sweep
// (macro-F1 of the fused answer for the text's share 0, 0.05, ... 1) and how often consistent and
// divergent answers are right. Pure, on typed arrays, so 100,000 rows run in the batch worker.
import { EMOTIONS, type Emotion, type EmotionScores } from '../../shared/emotions';
import { consistencyOf, type Verdict } from '../../shared/fusion';
import {
  accuracy,
  bootstrapIntervals,
  classMetrics,
  confusionMatrix,
  expectedCalibrationError,
  macroF1,
  reliabilityBins,
  type ClassMetrics,
  type ReliabilityBin,
} from './metrics';

/** The answers a report can hold (a batch runs text, faces and their fusion; `vision` is the cloud picture channel). */
export type EvalChannel = 'text' | 'face' | 'vision' | 'voice' | 'fused';
export const EVAL_CHANNELS: readonly EvalChannel[] = ['text', 'face', 'vision', 'voice', 'fused'];

const K = EMOTIONS.length;

/**
 * What is evaluated: per row, the gold label's index in EMOTIONS (-1: no usable label) and each
 * channel's seven scores (NaN where the channel has none for the row).
 */
export interface EvaluationInput {
  readonly gold: Int8Array;
  readonly scores: Partial<Record<EvalChannel, Float32Array>>;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** One channel's figures, over the rows that have both a label and this channel's answer. */
export interface ChannelReport {
  readonly channel: EvalChannel;
  readonly rows: number;
  readonly accuracy: number;
  readonly accuracyCI: Interval;
  readonly macroF1: number;
  readonly macroF1CI: Interval;
  readonly ece: number;
  /** counts[gold][pred], EMOTIONS order. */
  readonly confusion: number[][];
  readonly classes: ClassMetrics[];
  readonly reliability: ReliabilityBin[];
}

/** The fused answer's macro-F1 at one text share (the face's share is the rest). */
export interface SweepPoint {
  readonly textShare: number;
  readonly macroF1: number;
  readonly accuracy: number;
}

/** How often the fused answer is right when the channels agree, and when they do not. */
export interface AgreementRow {
  readonly verdict: Verdict;
  readonly rows: number;
  readonly correct: number;
  readonly accuracy: number;
}

export interface EvaluationReport {
  /** Rows with a usable label. */
  readonly labelled: number;
  readonly channels: ChannelReport[];
  /** With text and faces: the sweep over rows that have both, in steps of 0.05. */
  readonly sweep: SweepPoint[] | null;
  /** The sweep's best point (highest macro-F1; ties go to the share nearest 0.5). */
  readonly best: SweepPoint | null;
  readonly agreement: AgreementRow[] | null;
  readonly resamples: number;
  readonly seed: number;
}

export interface EvaluationOptions {
  readonly resamples?: number;
  readonly seed?: number;
}

/** Index of the highest of the seven scores at `row`, or -1 when the row has none. */
function argmaxAt(scores: Float32Array, row: number): number {
  const at = row * K;
  if (Number.isNaN(scores[at]!)) return -1;
  let best = 0;
  for (let k = 1; k < K; k += 1) if (scores[at + k]! > scores[at + best]!) best = k;
  return best;
}

/** One channel's report from its predicted indexes (-1: none) and top scores. */
function channelReport(channel: EvalChannel, gold: Int8Array, pred: Int8Array, confidence: Float32Array, options: Required<EvaluationOptions>): ChannelReport | null {
  const kept: number[] = [];
  for (let i = 0; i < gold.length; i += 1) if (gold[i]! >= 0 && pred[i]! >= 0) kept.push(i);
  if (kept.length === 0) return null;
  const goldOf = (i: number) => EMOTIONS[gold[i]!]!;
  const m = confusionMatrix(kept.map(goldOf), kept.map((i) => EMOTIONS[pred[i]!]!));
  const conf = kept.map((i) => confidence[i]!);
  const right = kept.map((i) => gold[i] === pred[i]);
  // Each kept row as one cell of the matrix (gold * K + pred): a resample's matrix is then one
  // count per pick into a flat array (100,000 rows x 1,000 resamples stays a few seconds).
  const cells = Uint8Array.from(kept, (i) => gold[i]! * K + pred[i]!);
  const flat = new Int32Array(K * K);
  const resampled = (rows: Uint32Array) => {
    flat.fill(0);
    for (let j = 0; j < rows.length; j += 1) flat[cells[rows[j]!]!]! += 1;
    return EMOTIONS.map((_, g) => Array.from(flat.subarray(g * K, g * K + K)));
  };
  const [accuracyCI, macroF1CI] = bootstrapIntervals(
    kept.length,
    (rows) => {
      const r = resampled(rows);
      return [accuracy(r), macroF1(r)];
    },
    { resamples: options.resamples, seed: options.seed },
  );
  return {
    channel,
    rows: kept.length,
    accuracy: accuracy(m),
    accuracyCI: accuracyCI!,
    macroF1: macroF1(m),
    macroF1CI: macroF1CI!,
    ece: expectedCalibrationError(conf, right),
    confusion: m,
    classes: classMetrics(m),
    reliability: reliabilityBins(conf, right),
  };
}

/** Predicted indexes and top scores of one channel's score array. */
function predictions(scores: Float32Array, n: number): { pred: Int8Array; confidence: Float32Array } {
  const pred = new Int8Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    const p = argmaxAt(scores, i);
    pred[i] = p;
    confidence[i] = p >= 0 ? scores[i * K + p]! : 0;
  }
  return { pred, confidence };
}

const scoresAt = (scores: Float32Array, row: number): EmotionScores =>
  Object.fromEntries(EMOTIONS.map((e, k) => [e, scores[row * K + k]!])) as Record<Emotion, number>;

/** The text shares the sweep tries: 0, 0.05, ... 1. */
export const SWEEP_SHARES: readonly number[] = Array.from({ length: 21 }, (_, i) => Math.round(i * 5) / 100);

/**
 * The report. Each channel is measured over its own labelled rows; the sweep and the agreement
 * over the labelled rows that have both text and faces (the fused answer's rows).
 */
export function evaluate(input: EvaluationInput, options: EvaluationOptions = {}): EvaluationReport {
  const opts: Required<EvaluationOptions> = { resamples: options.resamples ?? 1000, seed: options.seed ?? 1 };
  const { gold } = input;
  const n = gold.length;
  let labelled = 0;
  for (let i = 0; i < n; i += 1) if (gold[i]! >= 0) labelled += 1;

  const channels: ChannelReport[] = [];
  for (const channel of EVAL_CHANNELS) {
    const scores = input.scores[channel];
    if (!scores) continue;
    const { pred, confidence } = predictions(scores, n);
    const report = channelReport(channel, gold, pred, confidence, opts);
    if (report) channels.push(report);
  }

  const text = input.scores.text;
  const face = input.scores.face;
  let sweep: SweepPoint[] | null = null;
  let agreement: AgreementRow[] | null = null;
  if (text && face) {
    const both: number[] = [];
    for (let i = 0; i < n; i += 1) if (gold[i]! >= 0 && !Number.isNaN(text[i * K]!) && !Number.isNaN(face[i * K]!)) both.push(i);
    if (both.length > 0) {
      sweep = SWEEP_SHARES.map((w) => {
        const m = EMOTIONS.map(() => new Array<number>(K).fill(0));
        for (const i of both) {
          let best = 0;
          let bestScore = -1;
          for (let k = 0; k < K; k += 1) {
            const s = w * text[i * K + k]! + (1 - w) * face[i * K + k]!;
            if (s > bestScore) {
              bestScore = s;
              best = k;
            }
          }
          m[gold[i]!]![best]! += 1;
        }
        return { textShare: w, macroF1: macroF1(m), accuracy: accuracy(m) };
      });
      const fused = input.scores.fused;
      const tally = new Map<Verdict, { rows: number; correct: number }>();
      for (const i of both) {
        const verdict = consistencyOf(scoresAt(text, i), scoresAt(face, i)).verdict;
        const answer = fused && !Number.isNaN(fused[i * K]!) ? argmaxAt(fused, i) : -1;
        const t = tally.get(verdict) ?? { rows: 0, correct: 0 };
        t.rows += 1;
        if (answer === gold[i]) t.correct += 1;
        tally.set(verdict, t);
      }
      agreement = (['consistent', 'mixed', 'divergent'] as const).map((verdict) => {
        const t = tally.get(verdict) ?? { rows: 0, correct: 0 };
        return { verdict, rows: t.rows, correct: t.correct, accuracy: t.rows ? t.correct / t.rows : 0 };
      });
    }
  }
  return { labelled, channels, sweep, best: sweep ? bestOf(sweep) : null, agreement, resamples: opts.resamples, seed: opts.seed };
}

/**
 * The highest macro-F1. Shares that tie (a channel so much better that a range of shares all
 * reach its score) go to the one leaning most on the channel that scores better alone; when the
 * two alone tie too, to the share nearest an even split.
 */
export function bestOf(sweep: readonly SweepPoint[]): SweepPoint | null {
  if (sweep.length === 0) return null;
  const top = Math.max(...sweep.map((p) => p.macroF1));
  const tied = sweep.filter((p) => top - p.macroF1 <= 1e-12);
  const first = sweep[0]!;
  const last = sweep[sweep.length - 1]!;
  const lean = last.macroF1 - first.macroF1;
  const key = (p: SweepPoint) => (Math.abs(lean) <= 1e-12 ? -Math.abs(p.textShare - 0.5) : lean > 0 ? p.textShare : -p.textShare);
  return tied.reduce((b, p) => (key(p) > key(b) ? p : b));
}
