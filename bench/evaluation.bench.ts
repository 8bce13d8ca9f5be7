// Evaluation against the user's labels (issue 16) at 1,000, 10,000 and 100,000 labelled rows with
// text, faces and their fusion (`npm run bench`): the whole report as the batch worker computes
// it (1,000 bootstrap resamples per channel, the 21-point weight sweep, the consistency verdicts).
// It runs in the batch worker, so it costs waiting, not frames; the bootstrap is most of it.
import { bench, describe } from 'vitest';
import { evaluate, type EvaluationInput } from '../src/features/evaluation/evaluation';
import { seededRandom } from '../src/features/evaluation/metrics';

const K = 7;

function input(n: number): EvaluationInput {
  const random = seededRandom(n);
  const gold = Int8Array.from({ length: n }, () => Math.floor(random() * K));
  const scores = () => {
    const a = new Float32Array(n * K);
    for (let i = 0; i < n; i += 1) {
      // Right 60 % of the time, with some confidence; the rest spread.
      const top = random() < 0.6 ? gold[i]! : Math.floor(random() * K);
      let sum = 0;
      for (let k = 0; k < K; k += 1) sum += a[i * K + k] = (k === top ? 3 : 0) + random();
      for (let k = 0; k < K; k += 1) a[i * K + k]! /= sum;
    }
    return a;
  };
  return { gold, scores: { text: scores(), face: scores(), fused: scores() } };
}

describe('evaluation report (3 channels, 1,000 resamples)', () => {
  for (const n of [1_000, 10_000, 100_000]) {
    const data = input(n);
    bench(`${n.toLocaleString('en')} rows`, () => void evaluate(data), { iterations: n >= 100_000 ? 2 : 5, time: 0 });
  }
});
